import SpecgdSupport
import Testing
import Model
import Theory

/// GroupedModel checks every group (messages are built only on failure; the checks must not be lost).
@Suite struct GroupValidationTests {
    @Test func badGroupsAreRejectedWithTheirName() {
        let cases: [(Group, String)] = [
            (Group(name: "x", eigenvalue: .nan, multiplicity: 1), "eigenvalue of group 'x' must be a finite number"),
            (Group(name: "x", eigenvalue: .infinity, multiplicity: 1), "eigenvalue of group 'x' must be a finite number"),
            (Group(name: "x", eigenvalue: 0, multiplicity: 1), "eigenvalue of group 'x' must be > 0"),
            (Group(name: "x", eigenvalue: 1, multiplicity: 0), "multiplicity of group 'x' must be >= 1"),
            (Group(name: "x", eigenvalue: 1, multiplicity: 2, target: -1), "target of group 'x' must be >= 0"),
            (Group(name: "x", eigenvalue: 1, multiplicity: 2, target: .nan), "target of group 'x' must be a finite number"),
        ]
        let signal = Group(name: "a", eigenvalue: 1, multiplicity: 1, target: 1)
        for (group, message) in cases {
            do {
                _ = try GroupedModel(groups: [signal, group])
                Issue.record("accepted \(group)")
            } catch let error as InputError {
                #expect("\(error)".contains(message), "\(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        #expect((try? GroupedModel(groups: [signal, Group(name: "c", eigenvalue: 2, multiplicity: 5)])) != nil)
    }
}
