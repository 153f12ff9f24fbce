/// Check digits where each group of BBAN digits, multiplied by its weights (the check digit
/// included, usually with weight 1), sums to 0 modulo the group's modulus.
///
/// A group whose check digit would have to be 10 can never pass, which is how the mod-11
/// schemes (Norway, Iceland, Czechia) declare such account numbers unusable.
struct WeightedSumCheck: NationalCheck {
    struct Group: Sendable {
        let digits: Range<Int>
        let weights: [Int]
        let modulus: Int

        init(_ digits: Range<Int>, weights: [Int], modulus: Int) {
            precondition(digits.count == weights.count, "one weight per digit")
            self.digits = digits
            self.weights = weights
            self.modulus = modulus
        }
    }

    let groups: [Group]
    /// When these BBAN positions are all `0` the account is not checked: Norway's accounts with
    /// `00` in digits 5–6, whose rule the published implementations disagree on (python-stdnum
    /// checks them like any other, schwifty over digits 7–10 only, IbanNet not at all), so
    /// they pass on mod-97 alone rather than risk rejecting a real account.
    let exemptWhenZero: Range<Int>?

    init(groups: [Group], exemptWhenZero: Range<Int>? = nil) {
        self.groups = groups
        self.exemptWhenZero = exemptWhenZero
    }

    /// The last digit of each group (the check digit, or the digit weighted 1 in Czechia).
    var checkPositions: [Int] { groups.map { $0.digits.upperBound - 1 } }

    func isValid(_ bban: ArraySlice<UInt8>) -> Bool {
        if let exempt = exemptWhenZero, exempt.allSatisfy({ bban.digit($0) == 0 }) { return true }
        for group in groups {
            var sum = 0
            for (offset, i) in group.digits.enumerated() { sum += bban.digit(i) * group.weights[offset] }
            if sum % group.modulus != 0 { return false }
        }
        return true
    }

    /// Czechia and Slovakia: the 6-digit prefix (weights 10-5-8-4-2-1) and the 10-digit account
    /// number (6-3-7-9-10-5-8-4-2-1) each sum to 0 mod 11.
    static let czechSlovak = WeightedSumCheck(groups: [
        Group(4..<10, weights: [10, 5, 8, 4, 2, 1], modulus: 11),
        Group(10..<20, weights: [6, 3, 7, 9, 10, 5, 8, 4, 2, 1], modulus: 11),
    ])

    /// `cycle` repeated from the right over `count` digits: the last digit gets `cycle[0]`.
    static func repeating(_ cycle: [Int], fromTheRightOver count: Int) -> [Int] {
        (0..<count).map { cycle[(count - 1 - $0) % cycle.count] }
    }
}
