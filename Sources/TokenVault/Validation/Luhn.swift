/// The Luhn mod-10 check digit of ISO/IEC 7812-1 Annex B.
public enum Luhn {
    /// True when `digits` (values 0–9, not ASCII) pass the check.
    public static func isValid(_ digits: some Collection<UInt8>) -> Bool {
        var sum = 0
        var double = false
        for digit in digits.reversed() {
            var d = Int(digit)
            if double {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
            double.toggle()
        }
        return sum % 10 == 0
    }

    /// The digit that completes `partial` (values 0–9) into a valid number.
    public static func checkDigit(for partial: [UInt8]) -> UInt8 {
        for candidate in UInt8(0)...9 where isValid(partial + [candidate]) { return candidate }
        return 0
    }
}
