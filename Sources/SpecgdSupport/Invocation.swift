import Foundation

/// The command line as every record carries it (`command` in each JSON record): shell-quoted,
/// with the program as `specgd` rather than the path of whichever build ran it, so a record
/// reads the same on every machine and its command can be pasted back into a shell.
public enum Invocation {
    /// `specgd` followed by this process's arguments — or, while `step` is bound, that command line.
    public static var arguments: [String] { step ?? (["specgd"] + CommandLine.arguments.dropFirst()) }

    /// The command line of a command run in-process by `specgd run` (bound around each step with
    /// `Invocation.$step.withValue`), so the step's records carry the `specgd …` line that does the
    /// same from a shell, not the `specgd run FILE` of the process. A task-local, not a global:
    /// the binding lasts exactly as long as the step.
    @TaskLocal public static var step: [String]?

    /// The words joined by spaces, each quoted for a POSIX shell when it needs it.
    public static func shellQuoted(_ words: [String]) -> String {
        words.map(quoted).joined(separator: " ")
    }

    private static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
