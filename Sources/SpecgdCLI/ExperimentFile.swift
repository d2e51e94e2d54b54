import Model
import Foundation
import SpecgdSupport
import Yams

/// An experiment file (`specgd run FILE`): an optional `name`, `defaults` shared by the steps and
/// the `steps`, each one CLI command with its options. Keys are the CLI's own option names
/// without `--`, so the file and the command line are one vocabulary (docs/cli.md). YAML; JSON is
/// read by the same parser (YAML is a superset of it).
struct ExperimentFile: Equatable {
    /// One option value as written: the scalar's text exactly as in the file (so `lr: 1e-3`
    /// reaches the parser as `1e-3`), whether YAML reads it as a boolean, or a list of scalars.
    /// `null` (`~` or nothing) in a step removes a default.
    enum Value: Equatable {
        case scalar(String, boolean: Bool?)
        case list([String])
        case null
    }

    struct Step: Equatable {
        /// 1-based position in the file.
        var number: Int
        var command: String
        var label: String?
        /// Positional arguments (`arguments: [DIR]`), in order.
        var arguments: [String]
        var options: [(key: String, value: Value)]

        /// `step 3 (plot)` or `step 3`: how every message names it.
        var title: String { "step \(number)" + (label.map { " (\($0))" } ?? "") }

        static func == (lhs: Step, rhs: Step) -> Bool {
            lhs.number == rhs.number && lhs.command == rhs.command && lhs.label == rhs.label
                && lhs.arguments == rhs.arguments && lhs.options.elementsEqual(rhs.options) { $0 == $1 }
        }
    }

    var name: String?
    var defaults: [(key: String, value: Value)]
    var steps: [Step]

    static func == (lhs: ExperimentFile, rhs: ExperimentFile) -> Bool {
        lhs.name == rhs.name && lhs.steps == rhs.steps && lhs.defaults.elementsEqual(rhs.defaults) { $0 == $1 }
    }

    /// `--set key=value`, a default for this run, or `--set STEP.key=value`, one step's option
    /// (STEP its name or 1-based number), replacing the file's own (true/false are booleans).
    /// Returns the step it set (nil: a default) and the key, for the plan's checks.
    @discardableResult
    mutating func set(_ item: String) throws -> (step: Int?, key: String) {
        let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[0].hasPrefix("-") else {
            throw InputError("--set expects key=value or STEP.key=value with the option's name without dashes (got '\(item)')")
        }
        let boolean: Bool? = parts[1] == "true" ? true : parts[1] == "false" ? false : nil
        let value = Value.scalar(parts[1], boolean: boolean)
        // Option names have no dots, step names may: the key is after the last one.
        guard let dot = parts[0].lastIndex(of: ".") else {
            if let index = defaults.firstIndex(where: { $0.key == parts[0] }) { defaults[index].value = value }
            else { defaults.append((parts[0], value)) }
            return (nil, parts[0])
        }
        let name = String(parts[0][..<dot]), key = String(parts[0][parts[0].index(after: dot)...])
        guard !name.isEmpty, !key.isEmpty, !key.hasPrefix("-") else {
            throw InputError("--set expects STEP.key=value with a step's name or number and the option's name without dashes (got '\(item)')")
        }
        guard let index = steps.firstIndex(where: { $0.label == name || String($0.number) == name }) else {
            let names = steps.compactMap(\.label)
            throw InputError("--set \(item): no step is named '\(name)'\(Suggestion.phrase(for: name, among: names)) "
                             + "(steps: \(names.isEmpty ? "" : names.joined(separator: ", ") + "; or ")numbers 1…\(steps.count))")
        }
        if let option = steps[index].options.firstIndex(where: { $0.key == key }) { steps[index].options[option].value = value }
        else { steps[index].options.append((key, value)) }
        return (index, key)
    }

    static let fileKeys = ["name", "defaults", "steps"]
    static let stepKeys = ["command", "name", "arguments", "options"]

    /// Reads FILE; every problem is one InputError line.
    static func read(_ path: String) throws -> ExperimentFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("\(path) not found or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw InputError("\(path) is not UTF-8 text") }
        return try parse(text)
    }

    static func parse(_ source: String) throws -> ExperimentFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: source)
        } catch {
            throw InputError("not valid YAML or JSON: \(describe(error))")
        }
        guard let root, case .mapping(let top) = root else {
            throw InputError("expected a mapping with 'steps' (and optionally 'name', 'defaults')")
        }
        let fields = try pairs(top, allowed: fileKeys, in: "the file")
        var file = ExperimentFile(name: nil, defaults: [], steps: [])
        if let name = fields["name"] { file.name = try text(name, at: "name") }
        if let defaults = fields["defaults"] { file.defaults = try options(defaults, at: "defaults") }
        guard let steps = fields["steps"], case .sequence(let list) = steps, !list.isEmpty else {
            throw InputError("'steps' must be a non-empty list of steps ({command: theory, options: {…}})")
        }
        for (index, node) in list.enumerated() {
            file.steps.append(try step(node, number: index + 1))
        }
        return file
    }

    /// Yams' error on one line (its description adds a snippet of the file on further lines).
    private static func describe(_ error: any Error) -> String {
        switch error as? YamlError {
        case let .scanner(context, problem, mark, _)?, let .parser(context, problem, mark, _)?,
             let .composer(context, problem, mark, _)?:
            return "line \(mark.line), column \(mark.column): " + (context.map { "\($0.text) (from line \($0.mark.line)), " } ?? "") + problem
        case let .duplicatedKeysInMapping(duplicates, context)?:
            // Yams refuses a key given twice in one mapping (its context text is the whole file).
            return "line \(context.mark.line): duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) (a key may appear once in a mapping)"
        default:
            return "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
        }
    }

    private static func step(_ node: Node, number: Int) throws -> Step {
        let at = "step \(number)"
        guard case .mapping(let mapping) = node else { throw InputError("\(at): expected a mapping {command: …, options: {…}}") }
        let fields = try pairs(mapping, allowed: stepKeys, in: at)
        guard let command = fields["command"] else { throw InputError("\(at): 'command' is missing") }
        var step = Step(number: number, command: try text(command, at: "\(at).command"), label: nil, arguments: [], options: [])
        if let label = fields["name"] { step.label = try text(label, at: "\(at).name") }
        if let arguments = fields["arguments"] {
            switch try value(arguments, at: "\(step.title).arguments") {
            case .scalar(let text, _): step.arguments = [text]
            case .list(let items): step.arguments = items
            case .null: break
            }
        }
        if let options = fields["options"] { step.options = try self.options(options, at: "\(step.title).options") }
        return step
    }

    /// A mapping's keys (each a scalar, each once, each one of `allowed`) and values.
    private static func pairs(_ mapping: Node.Mapping, allowed: [String]?, in place: String) throws -> [String: Node] {
        var result = [String: Node]()
        for (key, value) in mapping {
            let name = try text(key, at: place)
            if let allowed, !allowed.contains(name) {
                throw InputError("\(place): unknown key '\(name)' (expected \(allowed.map { "'\($0)'" }.joined(separator: ", ")))")
            }
            guard result.updateValue(value, forKey: name) == nil else { throw InputError("\(place): '\(name)' is given twice") }
        }
        return result
    }

    /// An `options:` or `defaults:` mapping, in file order.
    private static func options(_ node: Node, at place: String) throws -> [(key: String, value: Value)] {
        if node.null != nil { return [] }
        guard case .mapping(let mapping) = node else { throw InputError("\(place): expected a mapping of option: value") }
        var seen = Set<String>()
        return try mapping.map { key, value in
            let name = try text(key, at: place)
            if name.hasPrefix("-") {
                throw InputError("\(place): write option names without dashes ('\(name.drop { $0 == "-" })', not '\(name)')")
            }
            guard seen.insert(name).inserted else { throw InputError("\(place): '\(name)' is given twice") }
            return (name, try self.value(value, at: "\(place).\(name)"))
        }
    }

    private static func value(_ node: Node, at place: String) throws -> Value {
        switch node {
        case .scalar(let scalar):
            if node.null != nil, scalar.style == .plain { return .null }
            return .scalar(scalar.string, boolean: scalar.style == .plain ? node.bool : nil)
        case .sequence(let sequence):
            return .list(try sequence.map { item in
                guard case .scalar(let scalar) = item else { throw InputError("\(place): a list holds plain values only") }
                return scalar.string
            })
        default:
            throw InputError("\(place): a value is a number, a word, true/false or a list")
        }
    }

    private static func text(_ node: Node, at place: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw InputError("\(place): expected a plain value") }
        return scalar.string
    }
}
