import Testing
import SpecgdSupport

/// Library messages name configuration fields; a front end renders them its own way.
@Suite struct InputErrorTests {
    @Test func fieldsReadAsNamesAndRenderAsAFrontEndChooses() {
        let error = InputError("\(InputError.field("nesterov")) needs \(InputError.field("momentum")) > 0")
        #expect(error.message == "nesterov needs momentum > 0")
        #expect(error.description == error.message)
        #expect(error.fields == ["nesterov", "momentum"])
        #expect(error.rendered { "--" + $0 } == "--nesterov needs --momentum > 0")
        // A field the front end has no name for stays as it is.
        #expect(error.rendered { $0 == "momentum" ? "β" : nil } == "nesterov needs β > 0")
    }

    @Test func rangeChecksMarkTheFieldButNotADescription() {
        #expect(throws: InputError.self) { try Validate.positive(-1, "learningRate") }
        do { try Validate.positive(-1, "learningRate") } catch let e as InputError {
            #expect(e.fields == ["learningRate"] && e.message == "learningRate must be > 0 (got -1.0)")
        } catch { Issue.record("\(error)") }
        do { try Validate.positive(0, "spectrum value") } catch let e as InputError {
            #expect(e.fields.isEmpty && e.message == "spectrum value must be > 0 (got 0.0)")
        } catch { Issue.record("\(error)") }
    }

    @Test func prefixKeepsTheFields() {
        let error = InputError(field: "width", "must be >= 1 (got 0)").prefixed("cell 3 (width=0): ")
        #expect(error.message == "cell 3 (width=0): width must be >= 1 (got 0)")
        #expect(error.rendered { $0 == "width" ? "--width" : nil } == "cell 3 (width=0): --width must be >= 1 (got 0)")
        #expect(InputError("plain").fields.isEmpty && InputError("plain").rendered { _ in "x" } == "plain")
    }
}
