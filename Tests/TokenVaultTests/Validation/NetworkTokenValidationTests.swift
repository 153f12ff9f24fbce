import Testing

@testable import TokenVault

/// Network tokens and scheme references on card rows (SPEC §11, issue 12).
@Suite struct NetworkTokenValidationTests {
    static let card = "4111111111111111"
    /// A Luhn-valid 16-digit network token (a Visa token BIN), distinct from the card.
    static let token = TestCards.number(prefix: "489537", length: 16, serial: 4242)
    static let par = "V0010013019341234567890ABCDE" + "F"
    static let trid = "40010030273"

    let validator = CardValidator(currentMonth: YearMonth(year: 2026, month: 11), allowExpired: false)

    func check(_ values: [Field: String], validator: CardValidator? = nil) -> (InstrumentDisplay?, [RowIssue], RowScratch) {
        var issues: [RowIssue] = []
        let scratch = RowScratch()
        let base: [Field: String] = [.cardNumber: Self.card, .expiryDate: "12/30"]
        let display = (validator ?? self.validator).validate(.make(base.merging(values) { $1 }), scratch: scratch, issues: &issues)
        return (display, issues, scratch)
    }

    @Test func allFieldsAreSealedWithTheCardAndOnlyAFlagIsShown() throws {
        #expect(Self.par.count == 29)
        let grouped = stride(from: 0, to: 16, by: 4).map { i in Self.token.dropFirst(i).prefix(4) }.joined(separator: " ")
        let (display, issues, scratch) = check([
            .networkToken: grouped, .networkTokenExpiry: "1231", .tokenRequestorID: Self.trid,
            .paymentAccountReference: Self.par, .networkTransactionID: "MCC123ABC0101",
        ])
        #expect(issues.isEmpty, "\(issues)")
        #expect(display?.hasNetworkToken == true)
        let payload = try SealedPayload.decode(scratch.payload)
        #expect(payload[.cardNumber] == Self.card)
        #expect(payload[.networkToken] == Self.token, "separators removed as for card numbers")
        #expect(payload[.networkTokenExpiry] == "203112")
        #expect(payload[.tokenRequestorID] == Self.trid)
        #expect(payload[.paymentAccountReference] == Self.par)
        #expect(payload[.networkTransactionID] == "MCC123ABC0101")
        #expect(String(decoding: scratch.identity, as: UTF8.self) == "card:" + Self.card, "dedup stays on the card number alone")
        let shown = [display!.alias, display!.last4, display!.visiblePrefix, display!.metadata ?? ""].joined()
        #expect(!shown.contains(Self.token))
    }

    @Test func theFieldsAreOptional() throws {
        let (display, issues, scratch) = check([:])
        #expect(issues.isEmpty)
        #expect(display?.hasNetworkToken == false)
        #expect(try SealedPayload.decode(scratch.payload)[.networkToken] == nil)
    }

    @Test func schemeReferencesNeedNoNetworkToken() {
        let (display, issues, _) = check([.paymentAccountReference: Self.par, .networkTransactionID: "123456789012345"])
        #expect(issues.isEmpty)
        #expect(display?.hasNetworkToken == false)
    }

    /// Every code each field can get, with the property it names.
    @Test(
        arguments: [
            ([Field.networkToken: "4895 37x0 0000 0000", .networkTokenExpiry: "12/31"], ErrorCode.invalidFormat, Field.networkToken),
            ([.networkToken: "489537000000", .networkTokenExpiry: "12/31"], .invalidLength, .networkToken),
            ([.networkToken: "48953700000000000000", .networkTokenExpiry: "12/31"], .invalidLength, .networkToken),
            ([.networkToken: "4895370000000001", .networkTokenExpiry: "12/31"], .checksumFailed, .networkToken),
            ([.networkToken: NetworkTokenValidationTests.token], .missingField, .networkTokenExpiry),
            ([.networkTokenExpiry: "12/31"], .missingField, .networkToken),
            ([.tokenRequestorID: NetworkTokenValidationTests.trid], .missingField, .networkToken),
            ([.networkToken: NetworkTokenValidationTests.token, .networkTokenExpiry: "13/31"], .invalidFormat, .networkTokenExpiry),
            ([.networkToken: NetworkTokenValidationTests.token, .networkTokenExpiry: "2031-12"], .invalidFormat, .networkTokenExpiry),
            ([.networkToken: NetworkTokenValidationTests.token, .networkTokenExpiry: "12-31"], .invalidFormat, .networkTokenExpiry),
            ([.networkToken: NetworkTokenValidationTests.token, .networkTokenExpiry: "10/26"], .cardExpired, .networkTokenExpiry),
            (
                [.networkToken: NetworkTokenValidationTests.token, .networkTokenExpiry: "12/31", .tokenRequestorID: "4001003027"],
                .invalidLength, .tokenRequestorID
            ),
            (
                [.networkToken: NetworkTokenValidationTests.token, .networkTokenExpiry: "12/31", .tokenRequestorID: "400100302731"],
                .invalidLength, .tokenRequestorID
            ),
            (
                [.networkToken: NetworkTokenValidationTests.token, .networkTokenExpiry: "12/31", .tokenRequestorID: "4001003027A"],
                .invalidFormat, .tokenRequestorID
            ),
            ([.paymentAccountReference: NetworkTokenValidationTests.par.lowercased()], .invalidFormat, .paymentAccountReference),
            ([.paymentAccountReference: String(NetworkTokenValidationTests.par.dropLast())], .invalidLength, .paymentAccountReference),
            ([.paymentAccountReference: NetworkTokenValidationTests.par + "0"], .invalidLength, .paymentAccountReference),
            ([.paymentAccountReference: "V001-0013019341234567890ABCD"], .invalidFormat, .paymentAccountReference),
            ([.networkTransactionID: String(repeating: "A", count: 65)], .invalidLength, .networkTransactionID),
            ([.networkTransactionID: "MCC-123"], .invalidFormat, .networkTransactionID),
            ([.networkTransactionID: "ñ123"], .invalidFormat, .networkTransactionID),
        ] as [([Field: String], ErrorCode, Field)])
    func rejects(values: [Field: String], code: ErrorCode, field: Field) {
        let (display, issues, _) = check(values)
        #expect(display == nil)
        #expect(
            issues.contains { $0.code == code && $0.property == field.name && $0.severity == .error },
            "expected \(code.rawValue) on \(field.name), got \(issues.map { "\($0.code.rawValue)/\($0.property)" })")
        for issue in issues { #expect(!issue.message.contains("489537")) }
    }

    @Test func networkTransactionIDOf64IsAccepted() {
        #expect(check([.networkTransactionID: String(repeating: "a1", count: 32)]).1.isEmpty)
    }

    /// An expired network token rejects the row like an expired card, unless `--allow-expired`.
    @Test func expiredNetworkTokenPassesWithAllowExpired() {
        let lenient = CardValidator(currentMonth: YearMonth(year: 2026, month: 11), allowExpired: true)
        let (display, issues, _) = check([.networkToken: Self.token, .networkTokenExpiry: "0120"], validator: lenient)
        #expect(issues.isEmpty)
        #expect(display?.hasNetworkToken == true)
        #expect(check([.networkToken: Self.token, .networkTokenExpiry: "11/26"]).1.isEmpty, "the current month is not expired")
    }

    /// The network token is held to the card number's rule in every free-text field.
    @Test(arguments: [Field.alias, .cardholderName, .merchantCustomerID, .reference, .networkTransactionID])
    func aFreeTextFieldHoldingTheNetworkTokenIsSensitive(field: Field) {
        let spelled = "x " + Self.token.prefix(8) + "-" + Self.token.dropFirst(8)
        let value = field == .merchantCustomerID || field == .networkTransactionID ? Self.token : String(spelled)
        let (display, issues, _) = check([.networkToken: Self.token, .networkTokenExpiry: "12/31", field: value])
        #expect(display == nil)
        #expect(issues.contains { $0.code == .sensitiveDataInField && $0.property == field.name }, "\(issues)")
        for issue in issues { #expect(!issue.message.contains(Self.token) && !issue.message.contains("489537")) }
        #expect(issues.filter { $0.code == .sensitiveDataInField }.allSatisfy { $0.message.contains("network token") })
    }

    /// An invalid network token is not a number any field is checked against (as for the card).
    @Test func anInvalidTokenIsNotSearchedFor() {
        let (_, issues, _) = check([.networkToken: "4895370000000001", .networkTokenExpiry: "12/31", .alias: "4895370000000001"])
        #expect(issues.map(\.code) == [.checksumFailed])
    }
}

/// The sealed payload stays readable across releases.
@Suite struct SealedPayloadCompatibilityTests {
    /// A card record exactly as the first release sealed it (version 1; tags 1–4).
    static let firstRelease: [UInt8] =
        [1]
        + [1, 0, 16] + Array("4111111111111111".utf8)
        + [2, 0, 6] + Array("203012".utf8)
        + [3, 0, 3] + Array("Ada".utf8)
        + [4, 0, 1] + Array("2".utf8)

    @Test func firstReleaseRecordsOpenWithEmptyNetworkColumns() throws {
        let payload = try SealedPayload.decode(Self.firstRelease)
        #expect(payload == [.cardNumber: "4111111111111111", .expiry: "203012", .holderName: "Ada", .issueNumber: "2"])
        let columns = Detokenizer.fields(payload, kind: .card)
        #expect(columns["card_number"] == "4111111111111111")
        #expect(columns["expiry_month"] == "12" && columns["expiry_year"] == "2030")
        for name in ["network_token", "network_token_expiry", "token_requestor_id", "payment_account_reference", "network_transaction_id"] {
            #expect(columns[name] == nil, "\(name)")
            #expect(Detokenizer.cardColumns.contains(name))
        }
    }

    /// The version byte did not change, and a reader skips tags it does not know: so a reader of
    /// the first release opens the new records too, minus the fields it never knew.
    @Test func newRecordsKeepVersionOneAndUnknownTagsAreSkipped() throws {
        var payload: [UInt8] = []
        SealedPayload.append(.cardNumber, Array("4111111111111111".utf8), to: &payload)
        SealedPayload.append(.networkToken, Array("4895370000004242".utf8), to: &payload)
        #expect(payload.first == 1)
        let withUnknown = payload + [200, 0, 2] + Array("zz".utf8)
        let decoded = try SealedPayload.decode(withUnknown)
        #expect(decoded == [.cardNumber: "4111111111111111", .networkToken: "4895370000004242"])
        let columns = Detokenizer.fields(decoded, kind: .card)
        #expect(columns["network_token"] == "4895370000004242")
    }

    @Test func networkTokenExpiryIsReturnedAsItIsRead() {
        let columns = Detokenizer.fields([.cardNumber: "4111111111111111", .networkTokenExpiry: "203107"], kind: .card)
        #expect(columns["network_token_expiry"] == "07/31")
    }
}
