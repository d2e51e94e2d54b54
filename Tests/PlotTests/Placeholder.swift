import Testing
@Test func PlotPlaceholder() { #expect(Bool(true)) }
