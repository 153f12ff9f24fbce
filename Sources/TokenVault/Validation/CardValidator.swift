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

        if let name = fields.bytes(.cardholderName) {
            if FreeText.hasControlCharacter(name) {
                issues.append(RowIssue(.invalidFormat, .cardholderName, "cardholder_name must not contain control characters"))
            } else if !FreeText.lengthIsWithin(name, min: 2, max: 51) {
                issues.append(RowIssue(.invalidLength, .cardholderName, "cardholder_name must be 2 to 51 characters"))
            }
            FreeText.checkSensitive(name, .cardholderName, number: numberOK ? scratch.number : [], what: "card number", issues: &issues)
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
            FreeText.checkSensitive(alias, .alias, number: numberOK ? scratch.number : [], what: "card number", issues: &issues)
        }
        if let customer = fields.bytes(.merchantCustomerID) {
            if !FreeText.lengthIsWithin(customer, max: 15) {
                issues.append(RowIssue(.invalidLength, .merchantCustomerID, "merchant_customer_id must be at most 15 characters"))
            }
            FreeText.checkSensitive(customer, .merchantCustomerID, number: numberOK ? scratch.number : [], what: "card number", issues: &issues)
        }
        FreeText.checkReference(fields, number: numberOK ? scratch.number : [], issues: &issues)
        for code in Field.securityCodes where fields.has(code) {
            issues.append(RowIssue(.cvvNotStored, code, "\(code.name) was present and was discarded: security codes are never stored", severity: .warning))
        }

        guard numberOK, let expiry, !issues[issuesBefore...].contains(where: { $0.severity == .error }) else { return nil }

        let number = scratch.number
        InstrumentIdentity.card(number: number, into: &scratch.identity)
        SealedPayload.append(.cardNumber, number, to: &scratch.payload)
        SealedPayload.append(.expiry, expiry.compactDigits, to: &scratch.payload)
        if let name = fields.bytes(.cardholderName) { SealedPayload.append(.holderName, name, to: &scratch.payload) }
        if let issue = fields.bytes(.issueNumber) { SealedPayload.append(.issueNumber, issue, to: &scratch.payload) }

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
            }
        )
    }

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
            let chars = Array(text)
            let digits: [UInt8]
            if chars.count == 4 && chars.allSatisfy(isDigit) {
                digits = chars
            } else if chars.count == 5 && chars[2] == UInt8(ascii: "/") && chars[0..<2].allSatisfy(isDigit) && chars[3...].allSatisfy(isDigit) {
                digits = Array(chars[0..<2] + chars[3...])
            } else {
                issues.append(RowIssue(.invalidFormat, .expiryDate, "expiry_date must be MMYY or MM/YY"))
                return nil
            }
            let month = Int(digits[0] - 0x30) * 10 + Int(digits[1] - 0x30)
            let year = 2000 + Int(digits[2] - 0x30) * 10 + Int(digits[3] - 0x30)
            guard (1...12).contains(month) else {
                issues.append(RowIssue(.invalidFormat, .expiryDate, "expiry_date has a month outside 01–12"))
                return nil
            }
            expiry = YearMonth(year: year, month: month)
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
}

