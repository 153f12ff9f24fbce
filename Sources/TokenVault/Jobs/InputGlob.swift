import Foundation

/// Expands a job's input patterns (`glob(3)`: `*`, `?`, `[...]`) into files, in name order.
enum InputGlob {
    static func expand(_ patterns: [String]) -> [String] {
        var files = Set<String>()
        for pattern in patterns {
            var result = glob_t()
            defer { globfree(&result) }
            guard glob(pattern, 0, nil, &result) == 0 else { continue }
            for i in 0..<Int(result.gl_pathc) {
                guard let cString = result.gl_pathv[i] else { continue }
                let path = String(cString: cString)
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue { files.insert(path) }
            }
        }
        return files.sorted()
    }
}
