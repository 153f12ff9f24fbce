/// The check digits a country's own account number carries inside its BBAN, verified on top of
/// the IBAN's mod-97: an IBAN whose check digits were computed over a mistyped domestic account
/// passes mod-97 but not these.
///
/// Conformers get a BBAN that already has the registry's length and structure (digits where the
/// registry says `n`, upper-case letters and digits elsewhere); positions are 0-based in it.
protocol NationalCheck: Sendable {
    func isValid(_ bban: ArraySlice<UInt8>) -> Bool

    /// The BBAN positions that carry the check digits: what `IBANCountry.exampleIBAN` sets so
    /// that the IBANs it builds for samples pass.
    var checkPositions: [Int] { get }
}

extension ArraySlice<UInt8> {
    /// The digit (0–9) at BBAN position `i`.
    @inline(__always) func digit(_ i: Int) -> Int { Int(self[startIndex + i]) - 0x30 }

    /// The character at BBAN position `i`.
    @inline(__always) func character(_ i: Int) -> UInt8 { self[startIndex + i] }
}
