import Testing
@Test func NumericKitPlaceholder() { #expect(Bool(true)) }
