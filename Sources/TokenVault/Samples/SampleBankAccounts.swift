/// Bank-account rows for `SampleGenerator`. Filled in by issue 3.
enum SampleBankAccounts {
    static func make(random: inout SeededRandom) -> SampleInstrument {
        SampleInstrument(number: "", holder: "")
    }

    static func row(_ account: SampleInstrument, reference: String, random: inout SeededRandom) -> SampleGenerator.SampleRow {
        SampleGenerator.SampleRow(values: ["reference": reference])
    }

    static func invalidRow(index: Int, reference: String, format: InputFormat, random: inout SeededRandom) -> SampleGenerator.SampleRow {
        SampleGenerator.SampleRow(values: ["reference": reference])
    }
}
