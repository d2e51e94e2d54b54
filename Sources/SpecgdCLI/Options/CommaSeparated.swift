import Model
import Foundation
import ArgumentParser
import SpecgdSupport

/// A comma-separated list option (`--lambdas 1,2,4`, `--methods gd,specgd`, `--spikes 8,4`,
/// `--metric a,b`): one parsing path for every list. A value the element type does not accept
/// (a word not among its choices, `x` for a number) is a command-line mistake, reported by the
/// parser in its one-line way ("The value '1,x' is invalid for '--lambdas <lambdas>'", with the
/// element's values when it has a fixed set; status 64). An empty field or a non-finite number
/// is bad input (docs/contracts.md: status 1): the list parses, keeps the `problem`, and its
/// owner's `validate()` refuses it with `check(_:)` ("--lambdas '1,,2' has an empty field").
/// The help shows the element's values and the default list.
struct CommaSeparated<Element: ExpressibleByArgument & Sendable>: ExpressibleByArgument, Sendable {
    var values: [Element]
    /// Why the list as given is bad input (an empty field, a non-finite number); nil when it is fine.
    var problem: String?

    init(_ values: [Element]) { self.values = values }

    init?(argument: String) {
        let fields = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var values = [Element]()
        for field in fields where !field.isEmpty {
            guard let value = Element(argument: field) else { return nil }
            // Numbers in a list must be finite (Double accepts "nan" and "inf").
            if let number = value as? Double, !number.isFinite, problem == nil {
                problem = "'\(argument)' holds a non-finite number (\(field)): give finite values"
            }
            values.append(value)
        }
        if problem == nil, fields.contains(where: \.isEmpty) {
            problem = "'\(argument)' has an empty field: give values separated by single commas"
        }
        self.values = values
    }

    /// Refuses the list as bad input (status 1) when it has a `problem`; `option` as typed (`--lambdas`).
    func check(_ option: String) throws {
        if let problem { throw InputError("\(option) \(problem)") }
    }

    var defaultValueDescription: String { values.map(\.defaultValueDescription).joined(separator: ",") }

    /// The element's values (a list of methods or metrics shows which names it accepts).
    static var allValueStrings: [String] { Element.allValueStrings }
}
