import Testing
@testable import TokenVault
@Test func luhnSmoke() { #expect(Luhn.isValid([4,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1])) }
