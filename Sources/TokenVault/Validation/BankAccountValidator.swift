import Foundation

/// Bank-account rules (SPEC §3). Implemented in full by issue 3.
public struct BankAccountValidator: InstrumentValidator {
    public var today: Date
    public init(today: Date) { self.today = today }

    func validate(_ fields: RowFields, scratch: RowScratch, issues: inout [RowIssue]) -> InstrumentDisplay? {
        issues.append(RowIssue(.missingField, .iban, "bank accounts are not supported yet"))
        return nil
    }
}
