import Testing

/// The leak checks of the end-to-end tests are only as good as this detector.
@Suite struct LeakDetectorTests {
    @Test func findsPlantedNumbersAndIgnoresOthers() {
        let numbers: Set<String> = ["4111111111111111", "378282246310005"]
        #expect(leakedNumbers(in: Array("x,4111111111111111,y".utf8), numbers: numbers) == ["4111111111111111"])
        #expect(leakedNumbers(in: Array("99378282246310005".utf8), numbers: numbers) == ["378282246310005"])
        #expect(leakedNumbers(in: Array("411111******1111 4111 1111 1111 1111".utf8), numbers: numbers).isEmpty)
        #expect(cardNumbers(inInput: "r1,4111 1111-1111 1111,12/30\nr2,4111111111111112,12/30\n") == ["4111111111111111"])
    }
}
