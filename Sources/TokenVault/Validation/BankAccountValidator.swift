import Foundation

/// The bank-account rules of SPEC §3: an IBAN (ISO 13616, per the SWIFT registry), or a
/// country's own account number (GB sort code + account, US ABA routing + account, others);
/// BIC (ISO 9362); the holder; and SEPA / UK mandate data, kept as clear metadata.
public struct BankAccountValidator: InstrumentValidator {
    /// Today as `yyyyMMdd` (UTC): mandates cannot be signed later than this.
    let today: Int

    public init(today: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: today)
        self.today = c.year! * 10_000 + c.month! * 100 + c.day!
    }

    /// The account as validated: what identifies it, before the display is built.
    private enum Account {
        case iban(iban: [UInt8], country: IBANCountry)
        case domestic(country: String, bank: [UInt8], branch: [UInt8], account: [UInt8], checkDigit: [UInt8])

        var country: String {
            switch self {
            case .iban(_, let country): country.code
            case .domestic(let country, _, _, _, _): country
            }
        }
    }

    func validate(_ fields: RowFields, scratch: RowScratch, issues: inout [RowIssue]) -> InstrumentDisplay? {
        let issuesBefore = issues.count
        let account: Account? = fields.has(.iban) ? readIBAN(fields, issues: &issues) : readDomestic(fields, issues: &issues)
        if let account {
            switch account {
            case .iban(let iban, _): scratch.number.append(contentsOf: iban)
            case .domestic(_, _, _, let number, _): scratch.number.append(contentsOf: number)
            }
        }
        if let account, case .iban(_, let country) = account, let given = fields.bytes(.countryCode) {
            if Self.upper(given) != Array(country.code.utf8) {
                issues.append(RowIssue(.countryMismatch, .countryCode, "country_code differs from the IBAN's country"))
            }
        }
        let bic = readBIC(fields, accountCountry: account?.country, issues: &issues)
        checkHolder(fields, number: scratch.number, issues: &issues)
        let metadata = readMandate(fields, number: scratch.number, bic: bic, issues: &issues)
        FreeText.checkReference(fields, number: scratch.number, issues: &issues)

        guard let account, !issues[issuesBefore...].contains(where: { $0.severity == .error }) else { return nil }
        let holder = fields.bytes(.accountHolderName)!
        switch account {
        case .iban(let iban, let country):
            InstrumentIdentity.iban(iban, into: &scratch.identity)
            SealedPayload.append(.iban, iban, to: &scratch.payload)
            SealedPayload.append(.holderName, holder, to: &scratch.payload)
            let bban = iban[4...]
            let bank =
                country.bank.isEmpty
                ? "" : String(decoding: bban.dropFirst(country.bank.lowerBound).prefix(country.bank.count), as: UTF8.self)
            return InstrumentDisplay(
                visiblePrefix: String(decoding: iban.prefix(4), as: UTF8.self),
                last4: String(decoding: iban.suffix(4), as: UTF8.self), numberLength: iban.count, customAlias: nil,
                brandOrCountry: country.code, bankCode: bank, expiry: nil, metadata: metadata)
        case .domestic(let country, let bank, let branch, let number, let checkDigit):
            InstrumentIdentity.domestic(country: country, bank: bank, branch: branch, account: number, into: &scratch.identity)
            SealedPayload.append(.countryCode, Array(country.utf8), to: &scratch.payload)
            SealedPayload.append(.bankCode, bank, to: &scratch.payload)
            if !branch.isEmpty { SealedPayload.append(.branchCode, branch, to: &scratch.payload) }
            SealedPayload.append(.accountNumber, number, to: &scratch.payload)
            if !checkDigit.isEmpty { SealedPayload.append(.checkDigit, checkDigit, to: &scratch.payload) }
            SealedPayload.append(.holderName, holder, to: &scratch.payload)
            // Never show more than half of a short account number.
            let visible = min(4, number.count / 2)
            return InstrumentDisplay(
                visiblePrefix: "", last4: String(decoding: number.suffix(visible), as: UTF8.self),
                numberLength: number.count, customAlias: nil, brandOrCountry: country,
                bankCode: String(decoding: bank, as: UTF8.self), expiry: nil, metadata: metadata)
        }
    }

    // MARK: - Account identity

    private func readIBAN(_ fields: RowFields, issues: inout [RowIssue]) -> Account? {
        // Written as files write them: `DE89 3704 …`, `ES15-0049-1806-…`, `NO 44 1850.05.14562`.
        let iban = Self.upper(fields.bytes(.iban)!, dropping: Self.ibanSeparators)
        guard iban.allSatisfy(Self.isAlphanumeric) else {
            issues.append(RowIssue(.invalidFormat, .iban, "iban must hold only letters, digits, spaces, dashes and dots"))
            return nil
        }
        guard iban.count >= 2, iban[0...1].allSatisfy(Self.isLetter) else {
            issues.append(RowIssue(.invalidFormat, .iban, "iban must start with a two-letter country code"))
            return nil
        }
        let code = String(decoding: iban[0...1], as: UTF8.self)
        guard let country = IBANRegistry.country(code) else {
            issues.append(RowIssue(.unknownCountry, .iban, "iban's country is not in the IBAN registry"))
            return nil
        }
        guard iban.count == country.length else {
            issues.append(RowIssue(.invalidLength, .iban, "iban must be \(country.length) characters for \(code)"))
            return nil
        }
        guard iban[2...3].allSatisfy(isDigit), country.matchesStructure(iban[4...]) else {
            issues.append(RowIssue(.invalidFormat, .iban, "iban does not have the account structure of \(code) (\(country.bban))"))
            return nil
        }
        guard IBANRegistry.mod97(iban) == 1 else {
            issues.append(RowIssue(.checksumFailed, .iban, "iban fails the mod-97 check"))
            return nil
        }
        if let national = NationalCheckDigits.check(for: code), !national.isValid(iban[4...]) {
            issues.append(RowIssue(.checksumFailed, .iban, "iban fails the national check digits of \(code)'s account number"))
            return nil
        }
        return .iban(iban: iban, country: country)
    }

    /// What separates groups of an IBAN in files: spaces, tabs, dashes and dots (SPEC §3).
    static let ibanSeparators: [UInt8] = [0x20, 0x09, UInt8(ascii: "-"), UInt8(ascii: ".")]

    private func readDomestic(_ fields: RowFields, issues: inout [RowIssue]) -> Account? {
        guard fields.has(.accountNumber) else {
            issues.append(RowIssue(.missingField, .iban, "iban is required (or country_code, bank_code and account_number)"))
            return nil
        }
        guard let rawCountry = fields.bytes(.countryCode) else {
            issues.append(RowIssue(.missingField, .countryCode, "country_code is required with account_number"))
            return nil
        }
        let countryBytes = Self.upper(rawCountry)
        guard countryBytes.count == 2, countryBytes.allSatisfy(Self.isLetter) else {
            issues.append(RowIssue(.invalidFormat, .countryCode, "country_code must be two letters (ISO 3166)"))
            return nil
        }
        let country = String(decoding: countryBytes, as: UTF8.self)
        guard CountryCodes.isKnown(country) else {
            issues.append(RowIssue(.unknownCountry, .countryCode, "country_code is not an ISO 3166 country"))
            return nil
        }
        if country != "GB", IBANRegistry.country(country)?.sepa == true {
            issues.append(RowIssue(.missingField, .iban, "iban is required for accounts in \(country) (SEPA)"))
            return nil
        }
        let separators: [UInt8] = [0x20, 0x09, UInt8(ascii: "-")]
        var number = Self.upper(fields.bytes(.accountNumber)!, dropping: separators)
        let bank = Self.upper(fields.bytes(.bankCode) ?? [], dropping: separators)
        let branch = Self.upper(fields.bytes(.branchCode) ?? [], dropping: separators)
        let checkDigit = Self.upper(fields.bytes(.checkDigit) ?? [], dropping: separators)
        var ok = true
        func fail(_ code: ErrorCode, _ field: Field, _ message: String) {
            issues.append(RowIssue(code, field, message))
            ok = false
        }
        if bank.isEmpty { fail(.missingField, .bankCode, "bank_code is required with account_number") }
        switch country {
        case "GB":
            if !bank.isEmpty {
                if !bank.allSatisfy(isDigit) {
                    fail(.invalidFormat, .bankCode, "bank_code (sort code) must be digits")
                } else if bank.count != 6 {
                    fail(.invalidLength, .bankCode, "bank_code (sort code) must be 6 digits")
                }
            }
            if !number.allSatisfy(isDigit) {
                fail(.invalidFormat, .accountNumber, "account_number must be digits")
            } else if !(6...8).contains(number.count) {
                fail(.invalidLength, .accountNumber, "account_number must be 8 digits (6 or 7 are padded)")
            } else {
                number = [UInt8](repeating: 0x30, count: 8 - number.count) + number
            }
        case "US":
            if !bank.isEmpty {
                if !bank.allSatisfy(isDigit) {
                    fail(.invalidFormat, .bankCode, "bank_code (ABA routing number) must be digits")
                } else if bank.count != 9 {
                    fail(.invalidLength, .bankCode, "bank_code (ABA routing number) must be 9 digits")
                } else if !ABARoutingNumber.isValid(bank) {
                    fail(.checksumFailed, .bankCode, "bank_code fails the ABA routing number checksum")
                }
            }
            if !number.allSatisfy(isDigit) {
                fail(.invalidFormat, .accountNumber, "account_number must be digits")
            } else if !(4...17).contains(number.count) {
                fail(.invalidLength, .accountNumber, "account_number must be 4 to 17 digits")
            }
        default:
            if !bank.isEmpty {
                if !bank.allSatisfy(Self.isAlphanumeric) {
                    fail(.invalidFormat, .bankCode, "bank_code must be letters and digits")
                } else if bank.count > 15 {
                    fail(.invalidLength, .bankCode, "bank_code must be at most 15 characters")
                }
            }
            if !number.allSatisfy(Self.isAlphanumeric) {
                fail(.invalidFormat, .accountNumber, "account_number must be letters and digits")
            } else if !(1...34).contains(number.count) {
                fail(.invalidLength, .accountNumber, "account_number must be 1 to 34 characters")
            }
        }
        if !branch.isEmpty {
            if !branch.allSatisfy(Self.isAlphanumeric) {
                fail(.invalidFormat, .branchCode, "branch_code must be letters and digits")
            } else if branch.count > 15 {
                fail(.invalidLength, .branchCode, "branch_code must be at most 15 characters")
            }
        }
        if !checkDigit.isEmpty {
            if !checkDigit.allSatisfy(Self.isAlphanumeric) {
                fail(.invalidFormat, .checkDigit, "check_digit must be letters and digits")
            } else if checkDigit.count > 2 {
                fail(.invalidLength, .checkDigit, "check_digit must be 1 or 2 characters")
            }
        }
        return ok ? .domestic(country: country, bank: bank, branch: branch, account: number, checkDigit: checkDigit) : nil
    }

    // MARK: - BIC, holder, mandate

    private func readBIC(_ fields: RowFields, accountCountry: String?, issues: inout [RowIssue]) -> String? {
        guard let raw = fields.bytes(.bic) else { return nil }
        let bic = Self.upper(raw, dropping: [0x20])
        switch BIC.check(bic) {
        case .failure(.length):
            issues.append(RowIssue(.invalidLength, .bic, "bic must be 8 or 11 characters"))
        case .failure(.format):
            issues.append(
                RowIssue(
                    .invalidFormat, .bic,
                    "bic must be 4 letters (bank), 2 letters (country), 2 letters or digits (location) and an optional 3 (branch)"))
        case .failure(.unknownCountry):
            issues.append(RowIssue(.unknownCountry, .bic, "bic's country is not an ISO 3166 country"))
        case .success(let country):
            if let accountCountry, country != accountCountry, IBANRegistry.ibanCountry(for: country) != accountCountry {
                issues.append(RowIssue(.countryMismatch, .bic, "bic's country differs from the account's country"))
            }
            return String(decoding: bic, as: UTF8.self)
        }
        return nil
    }

    private func checkHolder(_ fields: RowFields, number: [UInt8], issues: inout [RowIssue]) {
        guard let name = fields.bytes(.accountHolderName) else {
            issues.append(RowIssue(.missingField, .accountHolderName, "account_holder_name is required"))
            return
        }
        if FreeText.hasControlCharacter(name) {
            issues.append(RowIssue(.invalidFormat, .accountHolderName, "account_holder_name must not contain control characters"))
        } else if !FreeText.lengthIsWithin(name, min: 2, max: 70) {
            issues.append(RowIssue(.invalidLength, .accountHolderName, "account_holder_name must be 2 to 70 characters"))
        }
        FreeText.checkSensitive(name, .accountHolderName, number: number, what: "account number", issues: &issues)
    }

    /// Checks the mandate fields; returns the clear metadata (BIC and mandate) as JSON.
    private func readMandate(_ fields: RowFields, number: [UInt8], bic: String?, issues: inout [RowIssue]) -> String? {
        var metadata: [(String, String)] = []
        if let bic { metadata.append(("bic", bic)) }
        if let reference = fields.bytes(.mandateReference) {
            if !reference.allSatisfy({ Self.sepaReferenceCharacters[Int($0)] }) {
                issues.append(
                    RowIssue(
                        .invalidFormat, .mandateReference, "mandate_reference may hold only letters, digits, spaces and / - ? : ( ) . , ' +"
                    ))
            } else if reference.count > 35 {
                issues.append(RowIssue(.invalidLength, .mandateReference, "mandate_reference must be at most 35 characters"))
            }
            metadata.append(("mandate_reference", String(decoding: reference, as: UTF8.self)))
        }
        if let date = fields.bytes(.mandateSignatureDate) {
            if let value = Self.calendarDate(Array(date)) {
                if value > today {
                    issues.append(RowIssue(.invalidFormat, .mandateSignatureDate, "mandate_signature_date must not be in the future"))
                }
            } else {
                issues.append(RowIssue(.invalidFormat, .mandateSignatureDate, "mandate_signature_date must be a real date as YYYYMMDD"))
            }
            metadata.append(("mandate_signature_date", String(decoding: date, as: UTF8.self)))
        }
        for (field, limit) in Self.freeTextLimits {
            guard let value = fields.bytes(field) else { continue }
            if FreeText.hasControlCharacter(value) {
                issues.append(RowIssue(.invalidFormat, field, "\(field.name) must not contain control characters"))
            } else if !FreeText.lengthIsWithin(value, max: limit) {
                issues.append(RowIssue(.invalidLength, field, "\(field.name) must be at most \(limit) characters"))
            }
            metadata.append((field.name, String(decoding: value, as: UTF8.self)))
        }
        for field in Self.mandateTextFields {
            if let value = fields.bytes(field) {
                FreeText.checkSensitive(value, field, number: number, what: "account number", issues: &issues)
            }
        }
        if let recurring = fields.bytes(.recurring) {
            switch String(decoding: recurring, as: UTF8.self).lowercased() {
            case "true": metadata.append(("recurring", "true"))
            case "false": metadata.append(("recurring", "false"))
            default: issues.append(RowIssue(.invalidFormat, .recurring, "recurring must be true or false"))
            }
        }
        return metadata.isEmpty ? nil : JSONText.object(metadata)
    }

    /// `yyyyMMdd` as a number when it is a real calendar date.
    static func calendarDate(_ text: [UInt8]) -> Int? {
        guard text.count == 8, text.allSatisfy(isDigit) else { return nil }
        let value = Int(String(decoding: text, as: UTF8.self))!
        let year = value / 10_000, month = value / 100 % 100, day = value % 100
        guard year >= 1900, (1...12).contains(month), day >= 1 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days ? value : nil
    }

    // MARK: - Bytes

    /// SEPA's character set for references (the EPC's basic Latin set), as a byte lookup table.
    static let sepaReferenceCharacters: [Bool] = (0..<256).map { byte in
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ".utf8.contains(UInt8(byte))
    }
    static let freeTextLimits: [(Field, Int)] = [(.mandateSignaturePlace, 70), (.authorisationID, 35)]
    static let mandateTextFields: [Field] = [.mandateReference, .mandateSignaturePlace, .authorisationID]

    static func upper(_ bytes: some Collection<UInt8>, dropping: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes where !dropping.contains(b) { out.append(b >= 0x61 && b <= 0x7A ? b - 0x20 : b) }
        return out
    }

    static func isLetter(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
    static func isAlphanumeric(_ c: UInt8) -> Bool { isLetter(c) || isDigit(c) }
}
