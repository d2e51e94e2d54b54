import Foundation

/// The command line as every record carries it (`command` in each JSON record): shell-quoted,
/// with the program as `specgd` rather than the path of whichever build ran it, so a record
/// reads the same on every machine and its command can be pasted back into a shell. The words
/// come from the caller (the CLI's `CommandWords.arguments`): the library reads no process state.
package enum Invocation {

    /// The words joined by spaces, each quoted for a POSIX shell when it needs it.
    package static func shellQuoted(_ words: [String]) -> String {
        words.map(quoted).joined(separator: " ")
    }

    private static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
