/// US ABA routing transit numbers: nine digits whose 3-7-1 weighted sum is a multiple of 10.
public enum ABARoutingNumber {
    /// True when `digits` (ASCII) is nine digits with a valid check digit.
    public static func isValid(_ digits: some Collection<UInt8>) -> Bool {
        guard digits.count == 9, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        let weights = [3, 7, 1, 3, 7, 1, 3, 7, 1]
        let sum = zip(digits, weights).reduce(0) { $0 + Int($1.0 - 0x30) * $1.1 }
        return sum % 10 == 0
    }
}
