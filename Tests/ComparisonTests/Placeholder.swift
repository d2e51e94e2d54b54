import Testing
@Test func ComparisonPlaceholder() { #expect(Bool(true)) }
