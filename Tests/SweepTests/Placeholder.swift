import Testing
@Test func SweepPlaceholder() { #expect(Bool(true)) }
