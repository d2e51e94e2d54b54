import Foundation
import ArgumentParser

/// A comma-separated list option (`--lambdas 1,2,4`, `--methods gd,specgd`, `--spikes 8,4`,
/// `--metric a,b`): one parsing path for every list, so a bad element (an empty field, a value
/// the element type does not accept, a non-finite number) is reported by the parser in its
/// standard one-line way ("The value '1,,2' is invalid for '--lambdas <lambdas>'", with the
/// element's values when it has a fixed set), and the help shows the element's values and the
/// default list.
struct CommaSeparated<Element: ExpressibleByArgument & Sendable>: ExpressibleByArgument, Sendable {
    var values: [Element]

    init(_ values: [Element]) { self.values = values }

    init?(argument: String) {
        let fields = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var values = [Element]()
        for field in fields {
            guard !field.isEmpty, let value = Element(argument: field) else { return nil }
            // Numbers in a list must be finite (Double accepts "nan" and "inf").
            if let number = value as? Double, !number.isFinite { return nil }
            values.append(value)
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }

    var defaultValueDescription: String { values.map(\.defaultValueDescription).joined(separator: ",") }

    /// The element's values (a list of methods or metrics shows which names it accepts).
    static var allValueStrings: [String] { Element.allValueStrings }
}
