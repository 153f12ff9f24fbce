import Foundation
import Testing

@testable import TokenVault

/// A seeded fuzzer for the input readers (issue 11): the samples and hand-made seeds, mutated
/// (bit flips, truncation, splices, inserted quotes, braces and control bytes, deep nesting,
/// zero padding), read through the gzip decoder, the CSV and JSON Lines record readers, the
/// field splitters and the validators — as a run reads them.
///
/// Each case asserts: no crash; no hang (every loop makes progress within a bound set by the
/// input's size); every failure a `TokenVaultError`; every row accounted for (rows numbered
/// 1, 2, 3… without gaps, each either read or one `MALFORMED_RECORD`, and for undamaged JSON
/// Lines exactly one row per non-blank line).
///
/// CI runs `defaultIterations` cases per format (a few seconds). The longer mode:
/// `TOKENVAULT_FUZZ_ITERATIONS=200000 TOKENVAULT_FUZZ_SEED=7 swift test --filter ReaderFuzzTests`.
@Suite struct ReaderFuzzTests {
    static let defaultIterations = 100

    static var iterations: Int {
        ProcessInfo.processInfo.environment["TOKENVAULT_FUZZ_ITERATIONS"].flatMap(Int.init) ?? defaultIterations
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["TOKENVAULT_FUZZ_SEED"].flatMap(UInt64.init) ?? 20261204
    }

    enum Target: String, CaseIterable, Sendable {
        case csv, jsonl, gzipCSV, gzipJSONL

        var format: RecordFormat { self == .csv || self == .gzipCSV ? .csv : .jsonl }
        var gzip: Bool { self == .gzipCSV || self == .gzipJSONL }
    }

    @Test(arguments: Target.allCases)
    func mutatedInputsNeverCrashHangOrLoseRows(target: Target) throws {
        let ws = try TestWorkspace()
        let seeds = try Self.seeds(format: target.format)
        var random = SeededRandom(seed: Self.seed &+ UInt64(Target.allCases.firstIndex(of: target)!))
        let path = ws.path("fuzz.\(target.rawValue)")
        var executions = 0
        for _ in 0..<Self.iterations {
            var plain = Self.mutate(random.pick(seeds), splicing: seeds, random: &random)
            var bytes = plain
            if target.gzip {
                bytes = GzipMember.compress(plain, level: 1)
                if random.chance(30) { // multi-member
                    let second = random.pick(seeds)
                    bytes += GzipMember.compress(second, level: 1)
                    plain += second
                }
                if random.chance(50) {
                    bytes = Self.mutateCompressed(bytes, random: &random)
                    plain = [] // no oracle for damaged gzip
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            // zlib inflates at most ~1032 bytes per compressed byte.
            let maxDecoded = target.gzip && plain.isEmpty ? bytes.count * 1032 : plain.count
            try Self.readAll(
                path: path, format: target.format, maxDecodedBytes: maxDecoded,
                plainForOracle: target.gzip && plain.isEmpty ? nil : plain)
            executions += 1
        }
        #expect(executions == Self.iterations)
    }

    // MARK: - Reading, as the pipeline does

    /// Reads a whole input; checks progress and that every row is accounted for.
    static func readAll(path: String, format: RecordFormat, maxDecodedBytes: Int, plainForOracle: [UInt8]?) throws {
        let mapping = try FieldMapping(kind: .card)
        let validator = CardValidator(currentMonth: YearMonth(year: 2026, month: 12), allowExpired: false)
        let fields = RowFields()
        let scratch = RowScratch()
        var nextRow = 1
        var damaged = false
        do {
            let source = try InputSource(path: path)
            let reader = RecordReader(source: source, format: format, delimiter: UInt8(ascii: ","))
            var layout: ColumnLayout?
            if format == .csv {
                let header = try reader.readHeader()
                layout = ColumnLayout(fields: header.map { mapping.field(forName: Array($0.utf8)[...]) }, unknownColumns: [])
            }
            // Every batch holds at least one record, and a record at least one byte or line break.
            let bound = 2 + maxDecodedBytes
            var batches = 0
            while let batch = try reader.nextBatch(maxRecords: 37, sequence: batches, inputIndex: 0) {
                batches += 1
                guard batches <= bound else {
                    Issue.record("no progress: more batches than the input can hold")
                    return
                }
                #expect(batch.firstRow == nextRow, "rows are numbered without gaps")
                #expect(!batch.records.isEmpty)
                batch.bytes.withUnsafeBufferPointer { all in
                    for record in batch.records {
                        #expect(record.start <= record.end && Int(record.end) <= all.count)
                        fields.reset()
                        scratch.reset()
                        var problem = record.problem
                        let slice = UnsafeBufferPointer(rebasing: all[Int(record.start)..<Int(record.end)])
                        if problem == nil {
                            if format == .csv {
                                CSVFieldSplitter.split(slice, delimiter: UInt8(ascii: ","), layout: layout!, into: fields)
                            } else {
                                var unknown: [String]? = []
                                problem = JSONObjectParser.parse(slice, mapping: mapping, into: fields, unknownKeys: &unknown)
                            }
                        }
                        if problem == nil {
                            var issues: [RowIssue] = []
                            _ = validator.validate(fields, scratch: scratch, issues: &issues)
                        }
                        nextRow += 1
                    }
                }
            }
        } catch let error as TokenVaultError {
            // A file that cannot be read as a whole: allowed, with a stable code.
            #expect([.inputData, .io].contains(error.code), "\(error.code): \(error.message)")
            damaged = true
        }
        if format == .jsonl, !damaged, let plain = plainForOracle {
            #expect(nextRow - 1 == nonBlankLines(plain), "one row per non-blank line")
        }
    }

    /// The JSON Lines oracle: lines (LF-separated, a BOM dropped) holding more than spaces, tabs and CR.
    static func nonBlankLines(_ bytes: [UInt8]) -> Int {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        return body.split(separator: 0x0A, omittingEmptySubsequences: false)
            .filter { line in line.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D } }.count
    }

    // MARK: - Seeds and mutations

    /// The samples (first 48 KiB of each, decoded) and hand-made edge cases.
    static func seeds(format: RecordFormat) throws -> [[UInt8]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")
        var seeds: [[UInt8]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        where name.hasSuffix(format == .csv ? ".csv.gz" : ".jsonl.gz") {
            let source = try InputSource(path: root.appendingPathComponent(name).path)
            var buffer = [UInt8](repeating: 0, count: 48 << 10)
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            seeds.append(Array(buffer[0..<n]))
        }
        let handMade: [String] =
            format == .csv
            ? [
                "card_number,expiry_date,cardholder_name\n4111111111111111,12/30,\"Ada \"\"A\"\" L\"\r\n",
                "\u{FEFF}Card Number;Expiry\n\"4111\n1111\",12/30\n,,\n",
                "reference,card_number,expiry_date\n\"unterminated,4111111111111111,12/30\nr2,5555555555554444,12/30",
                "card_number,expiry_date\r4111111111111111,12/30\r5555555555554444,01/31\r",
                "", "\n\n\n", "a", "\"", "card_number,expiry_date\n\u{0}\u{1}\u{FFFF},\u{7F}\n",
            ]
            : [
                #"{"card_number":"4111111111111111","expiry_date":"12/30","x":{"a":[1,2,{"b":null}]}}"# + "\n",
                #"{"card_number":4111111111111111,"expiry_month":12,"expiry_year":2030,"cardholder_name":"Zo\u00eb \ud83d\ude00"}"#,
                #"{"a":"\uD800"}"# + "\n" + #"[1,2]"# + "\n  \n" + #"{"k": tru}"# + "\n",
                "", "\n \r\n\t\n", "{", "}", #"{"x":[[[[[[[[[[]]]]]]]]]]}"#,
            ]
        seeds += handMade.map { Array($0.utf8) }
        return seeds
    }

    static let interesting: [UInt8] = [
        0x22, 0x2C, 0x7B, 0x7D, 0x5B, 0x5D, 0x5C, 0x3A, 0x0A, 0x0D, 0x00, 0x09, 0x1F, 0x7F,
        0x80, 0xC3, 0xE2, 0xF0, 0xFF, 0xEF, 0xBB, 0xBF, 0x75, 0x30, 0x39,
    ]

    /// One to eight random edits of `input`.
    static func mutate(_ input: [UInt8], splicing seeds: [[UInt8]], random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + random.below(8)) {
            let at = bytes.isEmpty ? 0 : random.below(bytes.count + 1)
            switch random.below(9) {
            case 0 where !bytes.isEmpty: // bit flip
                let i = random.below(bytes.count)
                bytes[i] ^= UInt8(1) << UInt8(random.below(8))
            case 1 where !bytes.isEmpty: // an interesting byte over one
                bytes[random.below(bytes.count)] = random.pick(interesting)
            case 2: // inserted quote, brace, bracket, control byte
                bytes.insert(contentsOf: repeatElement(random.pick(interesting), count: 1 + random.below(4)), at: at)
            case 3: // truncation
                bytes.removeLast(bytes.count - at)
            case 4 where !bytes.isEmpty: // deletion
                let end = min(bytes.count, at + random.below(64))
                bytes.removeSubrange(min(at, end)..<end)
            case 5: // splice from another seed
                let other = random.pick(seeds)
                guard !other.isEmpty else { continue }
                let s = random.below(other.count), e = min(other.count, s + random.below(512))
                bytes.insert(contentsOf: other[s..<e], at: at)
            case 6: // deep nesting
                let depth = random.chance(10) ? 100_000 : 1 + random.below(200)
                let open: [UInt8] = random.chance(50) ? Array("[".utf8) : Array(#"{"a":"#.utf8)
                var nest: [UInt8] = []
                for _ in 0..<depth { nest += open }
                bytes.insert(contentsOf: nest, at: at)
            case 7 where !bytes.isEmpty: // duplicated block
                let end = min(bytes.count, at + random.below(256))
                bytes.insert(contentsOf: Array(bytes[min(at, end)..<end]), at: at)
            default: // a long line or field
                bytes.insert(contentsOf: repeatElement(UInt8(ascii: "9"), count: random.below(4096)), at: at)
            }
        }
        return bytes
    }

    /// Damage to gzip bytes: flips, truncation, zero padding, garbage after the stream.
    static func mutateCompressed(_ input: [UInt8], random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        switch random.below(5) {
        case 0: for _ in 0..<(1 + random.below(4)) { bytes[random.below(bytes.count)] ^= UInt8(1) << UInt8(random.below(8)) }
        case 1: bytes.removeLast(random.below(bytes.count))
        case 2: bytes += [UInt8](repeating: 0, count: 1 + random.below(1024))
        case 3: bytes += [UInt8](repeating: 0, count: random.below(8)) + [random.pick(interesting)]
        default: bytes.insert(contentsOf: [0x1F, 0x8B], at: random.below(bytes.count))
        }
        return bytes
    }
}
