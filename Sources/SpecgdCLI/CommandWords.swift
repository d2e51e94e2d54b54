import Model
import Foundation
import SpecgdSupport

/// The process's own command line, for the records: the one place the CLI reads it, and the
/// library never does (it takes the words as a parameter).
enum CommandWords {
    /// `specgd` followed by this process's arguments — or, while `step` is bound, that command line.
    static var arguments: [String] { step ?? (["specgd"] + CommandLine.arguments.dropFirst()) }

    /// The command line of a command run in-process by `specgd run` (bound around each step with
    /// `CommandWords.$step.withValue`), so the step's records carry the `specgd …` line that does
    /// the same from a shell, not the `specgd run FILE` of the process. A task-local, not a global:
    /// the binding lasts exactly as long as the step.
    @TaskLocal static var step: [String]?
}

extension SpecgdSupport.Progress.Mode {
    /// `terminal` when stderr is a terminal, else `lines`: the CLI's choice (the library
    /// never asks the terminal).
    static var automatic: Self { isatty(STDERR_FILENO) == 1 ? .terminal : .lines }
}

extension RunRecord {
    /// A record of this process's command line (`CommandWords.arguments`).
    init(kind: String, configuration: Configuration, summary: Summary, outcome: RunOutcome? = nil, replayOf: ReplaySource? = nil,
         convertedFigures: [String] = []) {
        self.init(kind: kind, configuration: configuration, summary: summary, outcome: outcome, command: CommandWords.arguments,
                  replayOf: replayOf, convertedFigures: convertedFigures)
    }
}
