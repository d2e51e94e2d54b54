import Model
import ArgumentParser
import Foundation
import SpecgdSupport

/// The options a command accepts, read from swift-argument-parser's own description of it (the
/// `--experimental-dump-help` JSON), so an experiment file follows every option the CLI has
/// without a second list to keep in step.
struct CommandOptions {
    /// Long names of flags (`online`, `wall-time`, `no-wall-time`).
    var flags: Set<String> = []
    /// Long names of options taking a value, and whether each may be repeated (`grid`, `at`).
    var options: [String: Bool] = [:]

    /// Every argument the help shows, in its order: the long name (nil for a positional
    /// argument), the value's name (nil for a flag) and the help sentence (docs/cli.md's tables).
    var shown: [(name: String?, valueName: String?, abstract: String)] = []

    /// Names a step may not set: they print instead of running.
    static let reserved: Set<String> = ["help", "version", "experimental-dump-help"]

    init(_ command: ParsableCommand.Type) {
        let name = command.configuration.commandName ?? "\(command)"
        let dump: String
        do {
            _ = try SpecGD.parseAsRoot([name, "--experimental-dump-help"])
            dump = ""
        } catch {
            dump = SpecGD.fullMessage(for: error)
        }
        guard let info = try? JSONDecoder().decode(ToolInfo.self, from: Data(dump.utf8)) else { return }
        for argument in info.command.arguments ?? [] {
            let long = argument.names?.first { $0.kind == "long" }?.name
            if argument.shouldDisplay ?? true, long.map({ !Self.reserved.contains($0) }) ?? true {
                shown.append((long, argument.kind == "flag" ? nil : argument.valueName, argument.abstract ?? ""))
            }
            for long in (argument.names ?? []) where long.kind == "long" && !Self.reserved.contains(long.name) {
                switch argument.kind {
                case "flag": flags.insert(long.name)
                case "option": options[long.name] = argument.isRepeating ?? false
                default: break
                }
            }
        }
    }

    func accepts(_ key: String) -> Bool { flags.contains(key) || options[key] != nil }

    /// Every name a step may set, sorted (for "did you mean").
    var names: [String] { (Array(flags) + options.keys).sorted() }

    /// The parts of ToolInfoV0 read here.
    private struct ToolInfo: Decodable {
        struct Command: Decodable { var arguments: [Argument]? }
        struct Argument: Decodable {
            struct Name: Decodable { var kind: String; var name: String }
            var kind: String
            var names: [Name]?
            var isRepeating: Bool?
            var shouldDisplay: Bool?
            var valueName: String?
            var abstract: String?
        }
        var command: Command
    }
}

/// One step of an experiment file as the command line it stands for.
struct StepCommandLine {
    var step: ExperimentFile.Step
    /// The subcommand and its arguments (without the leading `specgd`).
    var arguments: [String]
    /// The step's `--output` files and `--output-dir` folders, as passed (inside the run folder
    /// unless absolute).
    var outputs: [(option: String, path: String)]
    /// Every path taken in the run folder (`runFolderOptions` and the positional arguments,
    /// key `arguments`): as the file gives it and as resolved. None may leave the run folder.
    var runFolderPaths: [(key: String, given: String, path: String)] = []

    /// `specgd …`, as a record carries it.
    var words: [String] { ["specgd"] + arguments }

    /// Options whose paths are written (the run folder holds them) and read (next to the
    /// experiment file: the file and its inputs travel together). Positional arguments are the
    /// directories a command reads (docs/cli.md: plot-phase DIR, merge DIR…, export-notebook
    /// DIR): an earlier step's outputs, so in the run folder too, as is the deprecated --from.
    static let outputOptions: Set<String> = ["output", "output-dir"]
    static let inputFileOptions: Set<String> = ["config", "spectrum"]
    static let runFolderOptions: Set<String> = outputOptions.union(["from"])

    /// The arguments of `step` run with `defaults` (those its command accepts; the step's own
    /// value wins, `null` removes one) and relative paths resolved against `runDirectory` or
    /// `inputDirectory` (see above). Values: a scalar as written; `true` → `--flag`, `false` →
    /// `--no-flag` when the command has that inversion, else nothing; a list → one `--key a,b`
    /// (comma lists), or `--key a --key b` for an option the command lets you repeat.
    /// An unknown key is passed on, so the parser's own message names it.
    static func make(_ step: ExperimentFile.Step, command accepted: CommandOptions,
                     defaults: [(key: String, value: ExperimentFile.Value)],
                     runDirectory: String, inputDirectory: String) throws -> StepCommandLine {
        var merged = defaults.filter { accepted.accepts($0.key) }
        for (key, value) in step.options {
            if CommandOptions.reserved.contains(key) {
                throw InputError("\(step.title): '\(key)' is not an option a step can set")
            }
            if key == "arguments" {
                throw InputError("\(step.title): 'arguments' belongs next to 'command', not inside 'options'")
            }
            if let index = merged.firstIndex(where: { $0.key == key }) { merged[index].value = value }
            else { merged.append((key, value)) }
        }
        var line = StepCommandLine(step: step, arguments: [step.command], outputs: [])
        for argument in step.arguments {
            let path = resolve(argument, against: runDirectory)
            line.arguments.append(path)
            line.runFolderPaths.append(("arguments", argument, path))
        }
        for (key, value) in merged {
            let flag = "--" + key
            if accepted.flags.contains(key) {
                switch value {
                case .null: continue
                case .scalar(_, boolean: true?): line.arguments.append(flag)
                case .scalar(_, boolean: false?):
                    if accepted.flags.contains("no-" + key) { line.arguments.append("--no-" + key) }
                default:
                    throw InputError("\(step.title): '\(key)' is a flag of \(step.command): give true or false (got \(describe(value)))")
                }
                continue
            }
            var texts: [String]
            switch value {
            case .null: continue
            case .scalar(let text, _): texts = [text]
            case .list(let items):
                guard !items.isEmpty else { throw InputError("\(step.title): '\(key)' is an empty list") }
                let repeatable = accepted.options[key] == true
                // A path is one value: a list there would become a file named "a.csv,b.csv".
                if !repeatable && items.count > 1
                    && (runFolderOptions.contains(key) || inputFileOptions.contains(key) || outputOptions.contains(key)) {
                    throw InputError("\(step.title): '\(key)' takes one path (got a list of \(items.count): \(items.joined(separator: ", ")))")
                }
                texts = repeatable ? items : [items.joined(separator: ",")]
            }
            if runFolderOptions.contains(key) {
                line.runFolderPaths += texts.map { (key, $0, resolve($0, against: runDirectory)) }
                texts = texts.map { resolve($0, against: runDirectory) }
            } else if inputFileOptions.contains(key) {
                texts = texts.map { resolve($0, against: inputDirectory) }
            }
            for text in texts {
                line.arguments += [flag, text]
                if outputOptions.contains(key) { line.outputs.append((key, text)) }
            }
        }
        return line
    }

    /// `path` inside `directory` unless it is absolute (or `directory` is the current one).
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty || directory == "." { return path }
        return path == "." ? directory : (directory as NSString).appendingPathComponent(path)
    }

    private static func describe(_ value: ExperimentFile.Value) -> String {
        switch value {
        case .scalar(let text, _): return "'\(text)'"
        case .list(let items): return "a list [\(items.joined(separator: ", "))]"
        case .null: return "null"
        }
    }
}
