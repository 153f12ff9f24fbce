import Foundation
import Testing

@testable import TokenVault

/// The real executable on bank-account files: SPEC §3–§5 for `--kind bank-account`.
@Suite struct TokenizeBankAccountsEndToEndTests {
    @Test(arguments: VaultKind.tested)
    func sameAccountWrittenDifferentlyIsOneToken(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        try ws.writeGzip(
            "a.csv.gz",
            """
            reference,iban,bic,account_holder_name,country_code,bank_code,account_number,mandate_reference,mandate_signature_date,recurring
            r1,DE89370400440532013000,COBADEFFXXX,Ada Lovelace,,,,MNDT-1,20240131,true
            r2,de89 3704 0044 0532 0130 00,,Ada Lovelace,,,,,,
            r3,,,Mary O'Brien,GB,60-16-13,1926819,,,
            r4,,,Mary O'Brien,gb,601613,01926819,,,
            r5,,,John Smith,US,021000021,000123456789,,,
            r6,GB29NWBK60161331926819,,Mary O'Brien,,,,,,
            r7,DE89370400440532013001,,Bad Checksum,,,,,,

            """)
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "bank-account", "a.csv.gz", "--job-id", "b"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try ws.readCSV(ws.path("out/b.results.csv.gz"))
        #expect(rows.map { $0["status"]! } == ["new", "existing", "new", "existing", "new", "new", "rejected"])
        #expect(rows[0]["token"] == rows[1]["token"])
        #expect(rows[2]["token"] == rows[3]["token"])
        #expect(rows[5]["token"] != rows[2]["token"], "an IBAN and a sort code + account are keyed apart (SPEC §4)")
        #expect(
            rows.map { $0["alias"]! } == [
                "DE89**************3000", "DE89**************3000", "****6819", "****6819",
                "********6789", "GB29**************6819", "",
            ])
        #expect(rows.map { $0["country"]! } == ["DE", "DE", "GB", "GB", "US", "GB", ""])
        #expect(rows.map { $0["bank_code"]! } == ["37040044", "37040044", "601613", "601613", "021000021", "NWBK", ""])
        let report = try ws.readReport("b")
        #expect(report.byCountry == ["DE": 2, "GB": 3, "US": 1])
        #expect(report.byBrand == nil)
        #expect(report.errorsByCode == ["CHECKSUM_FAILED": 1])
        #expect(report.vault.tokensAfter == 4)
    }

    @Test func sampleRunReconciles() throws {
        let ws = try TestWorkspace()
        #expect(try ws.run(["sample", "--kind", "bank-account", "--rows", "3000", "--seed", "4", "--out", "b.jsonl.gz"]).status == 0)
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "bank-account", "b.jsonl.gz", "--job-id", "s"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try ws.readReport("s")
        #expect(report.counts.rows == 3000)
        #expect(report.counts.rows == report.counts.new + report.counts.existing + report.counts.rejected)
        #expect(report.vault.tokensAfter - report.vault.tokensBefore == report.counts.new)
        #expect(report.counts.existing > 50 && report.counts.rejected > 20)
        #expect((report.byCountry?.count ?? 0) > 60)
        #expect(
            Set(report.errorsByCode.keys).isSuperset(of: [
                "CHECKSUM_FAILED", "INVALID_LENGTH", "INVALID_FORMAT", "UNKNOWN_COUNTRY", "COUNTRY_MISMATCH", "MALFORMED_RECORD",
            ]))
    }
}
