/// True for the ASCII digits `0`–`9`; shared by the parsers and validators.
@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
