import Foundation
import Testing
import SpecgdSupport

/// StrictJSON: what Foundation's readers accept silently or misname, refused naming the key.
@Suite struct StrictJSONTests {
    func refusal(_ text: String) -> String? {
        do { try StrictJSON.check(Data(text.utf8)); return nil } catch { return "\(error)" }
    }

    @Test func validJSONPasses() {
        for text in [#"{"a":1,"b":[1,2,{"a":-0.5e-3}],"c":{"a":true,"b":null,"c":"x\"y"}}"#, "[]", "{}", "0", "1e308", "-2.2250738585072014e-308",
                     #"{"0e5":0, "x": 0.000e-999}"#] {
            #expect(refusal(text) == nil, "\(text)")
        }
    }

    @Test func duplicateKeysAreNamedWithTheirPath() {
        #expect(refusal(#"{"a":1,"a":2}"#)?.hasPrefix("duplicate key 'a' (") == true)
        #expect(refusal(#"{"g":[{"x":1},{"x":1,"y":2,"y":3}]}"#)?.hasPrefix("duplicate key 'y' in g[1]") == true)
        // Escapes are decoded first: "\u0061" is "a", a surrogate pair is one character.
        #expect(refusal(#"{"a":1,"\u0061":2}"#)?.hasPrefix("duplicate key 'a'") == true)
        #expect(refusal(#"{"😀":1,"\ud83d\ude00":2}"#)?.hasPrefix("duplicate key '😀'") == true)
        // The same key in two objects is fine.
        #expect(refusal(#"{"a":{"k":1},"b":{"k":1}}"#) == nil)
    }

    @Test func numbersNoDoubleHoldsAreOutOfRange() {
        #expect(refusal(#"{"a":{"b":1e400}}"#)?.hasPrefix("number out of range at a.b: 1e400") == true)
        #expect(refusal(#"[1, -1E+309]"#)?.hasPrefix("number out of range at [1]: -1E+309") == true)
        #expect(refusal(#"{"t":1e-400}"#)?.hasPrefix("number out of range at t: 1e-400") == true)
    }

    /// Syntax errors are the decoder's to report: the check passes them over.
    @Test func malformedTextIsLeftToTheDecoder() {
        for text in ["{", #"{"a":}"#, "[1,]", "nul", #"{"a":1}x"#, "1e"] { #expect(refusal(text) == nil, "\(text)") }
        #expect(StrictJSON.explainDecodingFailure(Data("{".utf8)) == nil)
    }

    @Test func anIntegerBeyondEveryIntegerTypeIsNamed() {
        let text = #"{"groups":[{"m":1},{"m":1e30}]}"#
        #expect(StrictJSON.explainDecodingFailure(Data(text.utf8))?.hasPrefix("number out of range at groups[1].m: 1e30") == true)
    }

    /// Nesting is bounded (the scan recurses): one line, not a stack overflow.
    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(refusal(deep)?.contains("nests more than \(StrictJSON.maximumDepth) levels") == true)
    }
}
