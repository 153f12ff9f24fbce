/// A held job lock (SPEC §7): released when the holder is released or its process dies.
protocol JobLockHolder: AnyObject {}
