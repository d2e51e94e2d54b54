import Model
import ArgumentParser
import Foundation
import Machine
import NumericKit
import SpecgdSupport

/// `specgd run`: the steps of an experiment file, each one of the CLI's commands parsed and run
/// in-process by that command's own type, so its checks, messages and outputs are the CLI's.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the steps of an experiment file (YAML or JSON), each one specgd command, into one folder.",
        discussion: """
        An experiment file lists commands with their options, for "regenerate figure N" workflows:
          name: paper                     # optional
          defaults: {dim: 100, lr: 0.01}  # given to every step whose command has the option
          steps:
            - command: theory             # any specgd command but run
              name: gd                    # optional label (--only, messages, run.json)
              options: {method: gd, output: gd.csv}
            - command: plot-phase
              arguments: [phase]          # positional arguments
              options: {metric: escape_step, log-color: true}
        Keys are the CLI's option names without --. Values: numbers and words as written; true gives \
        the flag, false its --no- form when it has one (else nothing); a list becomes a,b,c for comma \
        lists and one --key per element for repeatable options (--grid, --at); null in a step drops a \
        default. A default that no step's command has is an error.

        Paths: --output, --output-dir and the positional arguments are inside DIR (an earlier step's \
        outputs can be a later step's input) and may not leave it (`..`, an absolute path elsewhere or \
        a symbolic link out of DIR is refused before any step runs); --config and --spectrum files are \
        next to the experiment file. The folders holding --output files are created.

        Every step is parsed and checked before the first runs: a bad step is refused with one line \
        naming it and the command's own message (exit 64 for a command-line mistake, 1 for a refused \
        input). Steps run in order and stop at the first failure. Each step's outputs and records are \
        those of the same `specgd …` line run by hand (its record's command is that line); DIR/run.json \
        lists each step's command, status (completed, failed, diverged, interrupted, not-run) and the \
        files it wrote, and is rewritten after every step. Ctrl-C stops the current step as its command \
        would and runs no further step; the completed steps' outputs stay.

        Example: specgd run examples/quick.yaml --output-dir out/quick
        """)

    @Argument(help: ArgumentHelp("The experiment file (.yaml, .yml or .json).", valueName: "experiment"))
    var file: String

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Folder for every step's outputs and run.json; new or empty (default: ./NAME, NAME being the file's name without its extension).", valueName: "dir"))
    var outputDirectory: String?

    @Option(help: ArgumentHelp("Run only these steps (names or 1-based numbers, comma-separated); the others are still checked.", valueName: "steps"))
    var only: CommaSeparated<String>?

    @Option(name: .customLong("set"), help: ArgumentHelp("Change the file for this run (repeatable): key=value is a default, as if in the file's defaults; STEP.key=value is one step's option (STEP its name or number); either replaces the file's own value, e.g. --set quick=true --set gd.lr=0.01.", valueName: "[STEP.]key=value"))
    var overrides: [String] = []

    @Flag(help: "Rerun into a folder an earlier `specgd run` wrote: the files its run.json lists (and run.json) are removed once every step has been checked. A folder holding any other file is still refused.")
    var force = false

    /// --output-dir, else ./NAME.
    var directory: String {
        outputDirectory ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    func validate() throws {
        try only?.check("--only")
        try OutputPath.checkDirectory(directory)
    }

    func run() throws {
        do {
            try Self.perform(file: file, directory: directory, only: only?.values, overrides: overrides, force: force)
        } catch let failure as RunFailure {
            if let message = failure.message { FileHandle.standardError.write(Data("Error: \(message)\n".utf8)) }
            throw ExitCode(failure.exitCode)
        }
    }

    /// A refused file or a failed step: the one line (without `Error: `; nil when the step
    /// already said why, as an interrupted one does) and the exit status of `specgd run`.
    struct RunFailure: Error, CustomStringConvertible {
        var message: String?
        var exitCode: Int32
        var description: String { message ?? "exit \(exitCode)" }
    }

    /// Reads, checks and runs FILE into `directory` (new or empty). Throws `RunFailure`.
    static func perform(file: String, directory: String, only: [String]? = nil, overrides: [String] = [], force: Bool = false) throws {
        let plan: ExperimentPlan
        do {
            plan = try ExperimentPlan(file: file, directory: directory, only: only, overrides: overrides, force: force)
        } catch let error as InputError {
            let message = error.message.hasPrefix(file) ? error.message : "\(file): \(error.message)"
            throw RunFailure(message: message, exitCode: ExitCode.failure.rawValue)
        }
        try plan.run()
    }
}

/// An experiment file checked against the commands and ready to run into its folder.
struct ExperimentPlan {
    var file: String
    var experiment: ExperimentFile
    var directory: String
    var steps: [StepCommandLine]
    /// The steps `--only` selects (all by default), by index into `steps`.
    var selected: [Int]
    /// `--force`: an earlier run's files (relative to the folder, run.json included), removed
    /// before the steps run.
    var replaced: [String] = []

    init(file: String, directory: String, only: [String]? = nil, overrides: [String] = [], force: Bool = false) throws {
        self.file = file
        self.directory = directory
        var experiment = try ExperimentFile.read(file)
        let set = try overrides.map { (item: $0, target: try experiment.set($0)) }
        self.experiment = experiment
        let commands = Self.runnableCommands
        var accepted = [String: CommandOptions]()
        for step in experiment.steps where accepted[step.command] == nil {
            guard let type = commands[step.command] else {
                throw InputError("\(step.title): unknown command '\(step.command)' (one of \(commands.keys.sorted().joined(separator: ", ")))")
            }
            accepted[step.command] = CommandOptions(type)
        }
        // A mistyped key of --set is named with the option it was probably meant as; a step's
        // own options go to the command's parser, which says the same of an unknown one.
        for (item, target) in set {
            guard let index = target.step else { continue }
            let step = experiment.steps[index], options = accepted[step.command]!
            if !options.accepts(target.key) {
                throw InputError("--set \(item): '\(target.key)' is not an option of \(step.title), a \(step.command) step"
                                 + Suggestion.phrase(for: target.key, among: options.names))
            }
        }
        for (key, _) in experiment.defaults where !accepted.values.contains(where: { $0.accepts(key) }) {
            let used = Array(Set(experiment.steps.map(\.command))).sorted().joined(separator: ", ")
            let origin = set.contains { $0.target.step == nil && $0.target.key == key } ? "--set \(key)" : "defaults"
            throw InputError("\(origin): '\(key)' is not an option of any step's command (\(used))"
                             + Suggestion.phrase(for: key, among: Set(accepted.values.flatMap(\.names)).sorted()))
        }
        let inputs = (file as NSString).deletingLastPathComponent
        let steps = try experiment.steps.map {
            try StepCommandLine.make($0, command: accepted[$0.command]!, defaults: experiment.defaults,
                                     runDirectory: directory, inputDirectory: inputs)
        }
        self.steps = steps
        // Before anything runs: no step writes (or reads as an earlier step's output) outside
        // the run folder, through `..`, an absolute path or a symbolic link.
        for line in steps {
            for entry in line.runFolderPaths where !OutputPath.isInside(entry.path, directory) {
                throw InputError("\(line.step.title): \(entry.key) '\(entry.given)' is outside the run folder \(directory) "
                                 + "(\(OutputPath.resolved(entry.path))); a step's outputs and arguments stay inside it")
            }
        }
        var seen = [String: String]()
        for line in steps {
            for output in line.outputs {
                let key = (output.path as NSString).standardizingPath
                if let other = seen[key] { throw InputError("\(line.step.title) writes \(output.path), as \(other) does: give each step its own outputs") }
                seen[key] = line.step.title
            }
        }
        selected = try Self.select(only, from: steps.map(\.step))
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if !contents.isEmpty {
            guard force else {
                throw InputError("--output-dir \(directory) is not empty; run writes a whole output set: choose a new directory, "
                                 + "or pass --force to replace the outputs of an earlier `specgd run` there")
            }
            replaced = try Self.earlierOutputs(in: directory)
        }
    }

    /// The files an earlier `specgd run` wrote into `directory` (its run.json's steps' outputs
    /// and run.json), refusing a folder holding anything else: --force replaces a run's
    /// outputs, never a file it did not write.
    static func earlierOutputs(in directory: String) throws -> [String] {
        let record = (directory as NSString).appendingPathComponent("run.json")
        guard let data = FileManager.default.contents(atPath: record),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any], json["kind"] as? String == "run",
              let steps = (json["summary"] as? [String: Any])?["steps"] as? [[String: Any]] else {
            throw InputError("--force: --output-dir \(directory) holds no run.json of an earlier `specgd run`; "
                             + "--force only replaces such a run's outputs: choose a new directory")
        }
        let listed = Set(steps.flatMap { $0["outputs"] as? [String] ?? [] } + ["run.json"])
        let present = (FileManager.default.subpaths(atPath: directory) ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(path), isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
        let others = present.filter { !listed.contains($0) }.sorted()
        guard others.isEmpty else {
            let shown = others.prefix(3).joined(separator: ", ") + (others.count > 3 ? " and \(others.count - 3) more" : "")
            throw InputError("--force: --output-dir \(directory) holds files its run.json does not list (\(shown)); "
                             + "--force only replaces an earlier run's outputs: move them or choose a new directory")
        }
        return present.sorted()
    }

    /// Every command but `run` itself, by name.
    static var runnableCommands: [String: ParsableCommand.Type] {
        var commands = [String: ParsableCommand.Type]()
        for command in SpecGD.configuration.groupedSubcommands.flatMap(\.subcommands) where command != RunCommand.self {
            commands[command.configuration.commandName ?? "\(command)"] = command
        }
        return commands
    }

    private static func select(_ only: [String]?, from steps: [ExperimentFile.Step]) throws -> [Int] {
        guard let only else { return Array(steps.indices) }
        return try steps.indices.filter { index in
            only.contains { $0 == steps[index].label || $0 == String(steps[index].number) }
        }.nonEmpty(or: InputError("--only \(only.joined(separator: ",")) names none of the steps (their names: \(steps.compactMap(\.label).joined(separator: ", ")); or numbers 1…\(steps.count))"))
    }

    // MARK: Running

    /// Creates the folder and the ones the steps' --output files go in, checks every step by
    /// parsing it (removing those folders again if one is refused), then runs the selected steps.
    func run() throws {
        let created = try makeFolders()
        for line in steps {
            do {
                _ = try SpecGD.parseAsRoot(line.arguments)
            } catch {
                removeEmpty(created)
                throw RunCommand.RunFailure(message: stepMessage(line, error), exitCode: SpecGD.exitCode(for: error).rawValue)
            }
        }
        // --force: the earlier run's files go only now, once every step has been accepted.
        for path in replaced {
            try FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(path))
        }
        var record = RunFileRecord(plan: self)
        try record.write(to: recordPath)
        let watcher = SignalWatcher(notice: "specgd run: NAME received; no step after the current one will start")
        for (position, index) in selected.enumerated() {
            let line = steps[index]
            if let reason = watcher.token.cancellationReason {
                let done = selected.prefix(position).map { String(steps[$0].step.number) }.joined(separator: ", ")
                record.interrupted = true
                try record.write(to: recordPath)
                FileHandle.standardError.write(Data("specgd run: interrupted (\(reason)) before \(line.step.title); completed: \(done.isEmpty ? "none" : "step " + done) → \(recordPath)\n".utf8))
                throw RunCommand.RunFailure(message: nil, exitCode: SignalWatcher.exitStatus(for: reason))
            }
            FileHandle.standardError.write(Data("specgd run: \(line.step.title) [\(position + 1)/\(selected.count)]: \(Invocation.shellQuoted(line.words))\n".utf8))
            let before = files()
            let failure = runStep(line)
            let status: RunFileRecord.Status
            switch failure {
            case nil: status = .completed
            case let error? where error is DivergenceError: status = .diverged
            case let error? where watcher.token.isCancelled && SpecGD.exitCode(for: error).rawValue == SignalWatcher.exitStatus(for: watcher.token.cancellationReason):
                status = .interrupted
            default: status = .failed
            }
            let after = files()
            record.steps[index].status = status
            record.steps[index].outputs = after.subtracting(before).sorted()
            if let failure { record.steps[index].error = Self.errorLine(failure, line) }
            try record.write(to: recordPath)
            guard let failure else { continue }
            let code = SpecGD.exitCode(for: failure).rawValue
            if status == .interrupted {
                FileHandle.standardError.write(Data("specgd run: \(line.step.title) interrupted; no further step runs → \(recordPath)\n".utf8))
                throw RunCommand.RunFailure(message: nil, exitCode: code)
            }
            throw RunCommand.RunFailure(message: record.steps[index].error.map { "\(file): \(line.step.title): \($0)" }
                                        ?? "\(file): \(line.step.title) exited with status \(code)", exitCode: code)
        }
        print("run: \(selected.count) step\(selected.count == 1 ? "" : "s") completed → \(recordPath)")
    }

    var recordPath: String { (directory as NSString).appendingPathComponent("run.json") }

    /// The step, parsed again (what it checks may depend on what earlier steps wrote) and run
    /// with its own command line as the one its records carry; the error it ended with.
    private func runStep(_ line: StepCommandLine) -> (any Error)? {
        // Each step starts as a fresh process would: one BLAS thread (simulate --blas-threads
        // sets the process-wide count for its own run only).
        NumericKit.setBLASThreads(1)
        do {
            try CommandWords.$step.withValue(line.words) {
                var command = try SpecGD.parseAsRoot(line.arguments)
                try command.run()
            }
            return nil
        } catch {
            return error
        }
    }

    /// The folder (new or empty) and, inside it, the folders of the steps' --output files and
    /// the parents of their --output-dir folders (the commands create only their last level).
    private func makeFolders() throws -> [String] {
        var created = [String]()
        func make(_ folder: String) throws {
            guard !FileManager.default.fileExists(atPath: folder) else { return }
            try make(OutputPath.parent(of: folder))
            try AtomicFile.createDirectory(folder)
            created.append(folder)
        }
        do {
            if !FileManager.default.fileExists(atPath: directory) {
                try AtomicFile.createDirectory(directory)
                created.append(directory)
            }
            for line in steps {
                // Every output is inside the run folder (checked when the plan was made).
                for output in line.outputs {
                    try make(OutputPath.parent(of: output.path))
                }
            }
        } catch {
            removeEmpty(created)
            throw error
        }
        return created
    }

    /// Removes the folders `makeFolders` created (deepest first), if still empty.
    private func removeEmpty(_ folders: [String]) {
        for folder in folders.reversed() { rmdir(folder) }
    }

    /// The files under the folder (relative paths), but run.json.
    private func files() -> Set<String> {
        let paths = FileManager.default.subpaths(atPath: directory) ?? []
        return Set(paths.filter { path in
            var isDirectory: ObjCBool = false
            let full = (directory as NSString).appendingPathComponent(path)
            return path != "run.json" && FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) && !isDirectory.boolValue
        })
    }

    /// `FILE: step 3 (plot): <the command's one line>`.
    private func stepMessage(_ line: StepCommandLine, _ error: any Error) -> String {
        "\(file): \(line.step.title): " + (Self.errorLine(error, line) ?? "refused (\(error))")
    }

    /// The command's own one-line message, without `Error: ` (nil for a bare exit status).
    private static func errorLine(_ error: any Error, _ line: StepCommandLine) -> String? {
        if SpecGD.exitCode(for: error) == .success { return "asks for help or the version instead of running" }
        guard let text = SpecGD.errorLine(for: error, arguments: line.arguments) else { return nil }
        return text.hasPrefix("Error: ") ? String(text.dropFirst(7)) : text
    }
}

/// DIR/run.json: the file, the folder and each step's command line (configuration); each
/// step's status and the files it wrote, relative to DIR (summary).
struct RunFileRecord {
    // The record's schema (shared with the report): `RunFile` in SpecgdSupport.
    typealias Status = RunFile.Status
    typealias Configuration = RunFile.Configuration
    typealias StepResult = RunFile.StepResult
    typealias Summary = RunFile.Summary

    var configuration: Configuration
    var steps: [StepResult]
    /// Stopped by a signal between two steps.
    var interrupted = false

    init(plan: ExperimentPlan) {
        configuration = Configuration(
            file: plan.file, name: plan.experiment.name, outputDirectory: plan.directory,
            only: plan.selected.count == plan.steps.count ? nil : plan.selected.map { plan.steps[$0].step.number },
            steps: plan.steps.map { Configuration.Step(number: $0.step.number, name: $0.step.label, command: Invocation.shellQuoted($0.words)) })
        steps = plan.steps.map { StepResult(number: $0.step.number, name: $0.step.label, status: .notRun, outputs: []) }
    }

    /// The first step that failed, diverged or was interrupted says how the run ended; else
    /// interrupted (between steps), completed (every selected step) or running.
    var summary: Summary {
        let selected = configuration.only.map { numbers in steps.filter { numbers.contains($0.number) } } ?? steps
        let status = selected.first { ![.completed, .notRun].contains($0.status) }?.status
            ?? (interrupted ? .interrupted : selected.allSatisfy { $0.status == .completed } ? .completed : .running)
        return Summary(status: status, completed: selected.filter { $0.status == .completed }.count, steps: steps)
    }

    func write(to path: String) throws {
        try RunRecord(kind: "run", configuration: configuration, summary: summary).write(to: path)
    }
}

private extension Array {
    func nonEmpty(or error: @autoclosure () -> any Error) throws -> Self {
        if isEmpty { throw error() }
        return self
    }
}
