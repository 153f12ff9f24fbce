/// The card rules of SPEC §3: number (ISO/IEC 7812: 12–19 digits, Luhn), expiry, holder,
/// issue number, alias, merchant customer id, and the security code that is never kept.
public struct CardValidator: InstrumentValidator {
    /// The month that is "now"; cards that expired before it are rejected.
    public var currentMonth: YearMonth
    public var allowExpired: Bool

    public init(currentMonth: YearMonth, allowExpired: Bool) {
        self.currentMonth = currentMonth
        self.allowExpired = allowExpired
    }

    func validate(_ fields: RowFields, scratch: RowScratch, issues: inout [RowIssue]) -> InstrumentDisplay? {
        let issuesBefore = issues.count
        let numberOK = readCardNumber(fields, into: scratch, issues: &issues)
        let expiry = readExpiry(fields, issues: &issues)
        let networkTokenOK = readNetworkToken(fields, into: scratch, issues: &issues)
        let networkTokenExpiry = readNetworkTokenExpiry(fields, issues: &issues)
        readSchemeReferences(fields, issues: &issues)
        // The numbers no free-text field may hold: only valid ones (an invalid number is not
        // a card's, and its digits are partial).
        let card = numberOK ? scratch.number : []
        let networkToken = networkTokenOK ? scratch.networkToken : []
        /// Free text must hold neither of the row's own numbers nor, unless `anyCard` is false
        /// (scheme references: issued ids, often 15 digits), any card number (`holdsCardNumber`).
        func checkOwnNumbers(_ value: ArraySlice<UInt8>, _ field: Field, anyCard: Bool = true) {
            if let own = FreeText.ownNumber(in: value, card: card, networkToken: networkToken) {
                issues.append(RowIssue(.sensitiveDataInField, field, "\(field.name) must not contain \(own.name)"))
            } else if anyCard && FreeText.holdsCardNumber(value) {
                issues.append(RowIssue(.sensitiveDataInField, field, "\(field.name) must not contain a card number"))
            }
        }

        if let name = fields.bytes(.cardholderName) {
            if FreeText.hasControlCharacter(name) {
                issues.append(RowIssue(.invalidFormat, .cardholderName, "cardholder_name must not contain control characters"))
            } else if !FreeText.lengthIsWithin(name, min: 2, max: 51) {
                issues.append(RowIssue(.invalidLength, .cardholderName, "cardholder_name must be 2 to 51 characters"))
            }
            checkOwnNumbers(name, .cardholderName)
        }
        if let issue = fields.bytes(.issueNumber) {
            if !issue.allSatisfy(isDigit) {
                issues.append(RowIssue(.invalidFormat, .issueNumber, "issue_number must be digits"))
            } else if issue.count > 2 {
                issues.append(RowIssue(.invalidLength, .issueNumber, "issue_number must be 1 or 2 digits"))
            }
        }
        if let alias = fields.bytes(.alias) {
            if !FreeText.lengthIsWithin(alias, max: 100) {
                issues.append(RowIssue(.invalidLength, .alias, "alias must be at most 100 characters"))
            }
            checkOwnNumbers(alias, .alias)
        }
        if let customer = fields.bytes(.merchantCustomerID) {
            if !FreeText.lengthIsWithin(customer, max: 15) {
                issues.append(RowIssue(.invalidLength, .merchantCustomerID, "merchant_customer_id must be at most 15 characters"))
            }
            checkOwnNumbers(customer, .merchantCustomerID)
        }
        if let reference = fields.bytes(.reference),
            FreeText.ownNumber(in: reference, card: card, networkToken: networkToken) == .networkToken
        {
            FreeText.checkReference(fields, number: networkToken, what: "network token", issues: &issues)
        } else {
            FreeText.checkReference(fields, number: card, issues: &issues)
        }
        // The scheme references are sealed, never echoed, but still must not carry a number.
        if let value = fields.bytes(.networkTransactionID) { checkOwnNumbers(value, .networkTransactionID, anyCard: false) }
        if let value = fields.bytes(.paymentAccountReference) { checkOwnNumbers(value, .paymentAccountReference, anyCard: false) }
        for code in Field.securityCodes where fields.has(code) {
            issues.append(
                RowIssue(
                    .cvvNotStored, code, "\(code.name) was present and was discarded: security codes are never stored", severity: .warning))
        }

        // Afterwards `scratch` holds only valid numbers: the kept columns are checked against them.
        if !numberOK { scratch.number.removeAll(keepingCapacity: true) }
        if !networkTokenOK { scratch.networkToken.removeAll(keepingCapacity: true) }
        guard numberOK, let expiry, !issues[issuesBefore...].contains(where: { $0.severity == .error }) else { return nil }

        let number = scratch.number
        InstrumentIdentity.card(number: number, into: &scratch.identity)
        SealedPayload.append(.cardNumber, number, to: &scratch.payload)
        SealedPayload.append(.expiry, expiry.compactDigits, to: &scratch.payload)
        if let name = fields.bytes(.cardholderName) { SealedPayload.append(.holderName, name, to: &scratch.payload) }
        if let issue = fields.bytes(.issueNumber) { SealedPayload.append(.issueNumber, issue, to: &scratch.payload) }
        if networkTokenOK {
            SealedPayload.append(.networkToken, scratch.networkToken, to: &scratch.payload)
            if let networkTokenExpiry { SealedPayload.append(.networkTokenExpiry, networkTokenExpiry.compactDigits, to: &scratch.payload) }
        }
        for (field, tag) in Self.schemeReferenceTags {
            if let value = fields.bytes(field) { SealedPayload.append(tag, value, to: &scratch.payload) }
        }

        let brand = CardBrand.detect(number.lazy.map { $0 - 0x30 })
        return InstrumentDisplay(
            visiblePrefix: String(decoding: number.prefix(6), as: UTF8.self),
            last4: String(decoding: number.suffix(4), as: UTF8.self),
            numberLength: number.count,
            customAlias: fields.string(.alias),
            brandOrCountry: brand.rawValue,
            bankCode: "",
            expiry: expiry,
            metadata: fields.bytes(.merchantCustomerID).map {
                JSONText.object([("merchant_customer_id", String(decoding: $0, as: UTF8.self))])
            },
            hasNetworkToken: networkTokenOK
        )
    }

    /// The scheme references sealed as given, with their payload tags.
    private static let schemeReferenceTags: [(Field, SealedPayload.Tag)] = [
        (.tokenRequestorID, .tokenRequestorID), (.paymentAccountReference, .paymentAccountReference),
        (.networkTransactionID, .networkTransactionID),
    ]

    /// Reads the number into `scratch.number` as ASCII digits; false when it is not valid.
    private func readCardNumber(_ fields: RowFields, into scratch: RowScratch, issues: inout [RowIssue]) -> Bool {
        guard let raw = fields.bytes(.cardNumber) else {
            issues.append(RowIssue(.missingField, .cardNumber, "card_number is required"))
            return false
        }
        var badCharacter = false
        for b in raw where b != 0x20 && b != UInt8(ascii: "-") {
            if isDigit(b) { scratch.number.append(b) } else { badCharacter = true }
        }
        if badCharacter {
            issues.append(RowIssue(.invalidFormat, .cardNumber, "card_number must hold only digits, spaces and dashes"))
            return false
        }
        if scratch.number.isEmpty {
            issues.append(RowIssue(.missingField, .cardNumber, "card_number is required"))
            return false
        }
        guard (12...19).contains(scratch.number.count) else {
            issues.append(RowIssue(.invalidLength, .cardNumber, "card_number must be 12 to 19 digits"))
            return false
        }
        guard Luhn.isValid(scratch.number.lazy.map { $0 - 0x30 }) else {
            issues.append(RowIssue(.checksumFailed, .cardNumber, "card_number fails the Luhn check"))
            return false
        }
        return true
    }

    /// Reads `expiry_date` (`MMYY`, `MM/YY`), or else `expiry_month` + `expiry_year`.
    private func readExpiry(_ fields: RowFields, issues: inout [RowIssue]) -> YearMonth? {
        var expiry: YearMonth?
        if let text = fields.bytes(.expiryDate) {
            guard let value = Self.monthYear(text, field: .expiryDate, issues: &issues) else { return nil }
            expiry = value
        } else {
            let month = fields.bytes(.expiryMonth)
            let year = fields.bytes(.expiryYear)
            if month == nil && year == nil {
                issues.append(RowIssue(.missingField, .expiryDate, "expiry_date (or expiry_month and expiry_year) is required"))
                return nil
            }
            var m: Int?, y: Int?
            if let month {
                if !month.allSatisfy(isDigit) {
                    issues.append(RowIssue(.invalidFormat, .expiryMonth, "expiry_month must be a number from 1 to 12"))
                } else if month.count > 2 {
                    issues.append(RowIssue(.invalidLength, .expiryMonth, "expiry_month must be 1 or 2 digits"))
                } else if let value = Int(String(decoding: month, as: UTF8.self)), (1...12).contains(value) {
                    m = value
                } else {
                    issues.append(RowIssue(.invalidFormat, .expiryMonth, "expiry_month must be a number from 1 to 12"))
                }
            } else {
                issues.append(RowIssue(.missingField, .expiryMonth, "expiry_month is required with expiry_year"))
            }
            if let year {
                if !year.allSatisfy(isDigit) {
                    issues.append(RowIssue(.invalidFormat, .expiryYear, "expiry_year must be digits"))
                } else if year.count != 2 && year.count != 4 {
                    issues.append(RowIssue(.invalidLength, .expiryYear, "expiry_year must be 2 or 4 digits"))
                } else {
                    let value = Int(String(decoding: year, as: UTF8.self))!
                    y = year.count == 2 ? 2000 + value : value
                }
            } else {
                issues.append(RowIssue(.missingField, .expiryYear, "expiry_year is required with expiry_month"))
            }
            guard let m, let y else { return nil }
            expiry = YearMonth(year: y, month: m)
        }
        if let expiry, expiry < currentMonth, !allowExpired {
            let field: Field = fields.has(.expiryDate) ? .expiryDate : .expiryYear
            issues.append(RowIssue(.cardExpired, field, "the card expired before the current month"))
        }
        return expiry
    }

    /// Reads `MMYY` or `MM/YY` (years 2000–2099), as `expiry_date` and `network_token_expiry` are written.
    private static func monthYear(_ text: ArraySlice<UInt8>, field: Field, issues: inout [RowIssue]) -> YearMonth? {
        let s = text.startIndex
        func digit(_ i: Int) -> Int? { isDigit(text[s + i]) ? Int(text[s + i] - 0x30) : nil }
        let yearAt: Int
        if text.count == 4 {
            yearAt = 2
        } else if text.count == 5 && text[s + 2] == UInt8(ascii: "/") {
            yearAt = 3
        } else {
            issues.append(RowIssue(.invalidFormat, field, "\(field.name) must be MMYY or MM/YY"))
            return nil
        }
        guard let m1 = digit(0), let m2 = digit(1), let y1 = digit(yearAt), let y2 = digit(yearAt + 1) else {
            issues.append(RowIssue(.invalidFormat, field, "\(field.name) must be MMYY or MM/YY"))
            return nil
        }
        let month = m1 * 10 + m2
        guard (1...12).contains(month) else {
            issues.append(RowIssue(.invalidFormat, field, "\(field.name) has a month outside 01–12"))
            return nil
        }
        return YearMonth(year: 2000 + y1 * 10 + y2, month: month)
    }

    // MARK: - Network tokens and scheme references (SPEC §11)

    /// Reads `network_token` into `scratch.networkToken` as ASCII digits: separators removed as
    /// for card numbers, 13–19 digits, Luhn valid. True when present and valid.
    private func readNetworkToken(_ fields: RowFields, into scratch: RowScratch, issues: inout [RowIssue]) -> Bool {
        guard let raw = fields.bytes(.networkToken) else {
            if fields.has(.networkTokenExpiry) || fields.has(.tokenRequestorID) {
                let given: Field = fields.has(.networkTokenExpiry) ? .networkTokenExpiry : .tokenRequestorID
                issues.append(RowIssue(.missingField, .networkToken, "network_token is required with \(given.name)"))
            }
            return false
        }
        var badCharacter = false
        for b in raw where b != 0x20 && b != UInt8(ascii: "-") {
            if isDigit(b) { scratch.networkToken.append(b) } else { badCharacter = true }
        }
        if badCharacter {
            issues.append(RowIssue(.invalidFormat, .networkToken, "network_token must hold only digits, spaces and dashes"))
            return false
        }
        guard (13...19).contains(scratch.networkToken.count) else {
            issues.append(RowIssue(.invalidLength, .networkToken, "network_token must be 13 to 19 digits"))
            return false
        }
        guard Luhn.isValid(scratch.networkToken.lazy.map { $0 - 0x30 }) else {
            issues.append(RowIssue(.checksumFailed, .networkToken, "network_token fails the Luhn check"))
            return false
        }
        return true
    }

    /// Reads `network_token_expiry` (required with a network token). An expired network token
    /// rejects the row like an expired card, unless `--allow-expired`.
    private func readNetworkTokenExpiry(_ fields: RowFields, issues: inout [RowIssue]) -> YearMonth? {
        guard let text = fields.bytes(.networkTokenExpiry) else {
            if fields.has(.networkToken) {
                issues.append(RowIssue(.missingField, .networkTokenExpiry, "network_token_expiry is required with network_token"))
            }
            return nil
        }
        guard let expiry = Self.monthYear(text, field: .networkTokenExpiry, issues: &issues) else { return nil }
        if expiry < currentMonth, !allowExpired {
            issues.append(RowIssue(.cardExpired, .networkTokenExpiry, "the network token expired before the current month"))
        }
        return expiry
    }

    /// Checks the shape of `token_requestor_id` (11 digits), `payment_account_reference` (29
    /// upper-case letters and digits) and `network_transaction_id` (1–64 letters and digits).
    private func readSchemeReferences(_ fields: RowFields, issues: inout [RowIssue]) {
        if let id = fields.bytes(.tokenRequestorID) {
            if !id.allSatisfy(isDigit) {
                issues.append(RowIssue(.invalidFormat, .tokenRequestorID, "token_requestor_id must be digits"))
            } else if id.count != 11 {
                issues.append(RowIssue(.invalidLength, .tokenRequestorID, "token_requestor_id must be 11 digits"))
            }
        }
        if let par = fields.bytes(.paymentAccountReference) {
            if !par.allSatisfy({ isDigit($0) || ($0 >= 0x41 && $0 <= 0x5A) }) {
                issues.append(
                    RowIssue(
                        .invalidFormat, .paymentAccountReference, "payment_account_reference must hold only upper-case letters and digits"))
            } else if par.count != 29 {
                issues.append(RowIssue(.invalidLength, .paymentAccountReference, "payment_account_reference must be 29 characters"))
            }
        }
        if let id = fields.bytes(.networkTransactionID) {
            if !id.allSatisfy({ isDigit($0) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) {
                issues.append(RowIssue(.invalidFormat, .networkTransactionID, "network_transaction_id must hold only letters and digits"))
            } else if id.count > 64 {
                issues.append(RowIssue(.invalidLength, .networkTransactionID, "network_transaction_id must be 1 to 64 characters"))
            }
        }
    }
}
