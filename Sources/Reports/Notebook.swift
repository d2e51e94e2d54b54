import Foundation
import Plot
import SpecgdSupport

/// A Jupyter notebook in nbformat 4.5 (the JSON schema Jupyter validates against).
public struct Notebook: Encodable, Sendable {
    public struct Cell: Encodable, Sendable {
        public enum Kind: String, Sendable { case markdown, code }
        public var kind: Kind
        public var id: String
        public var source: String

        enum Keys: String, CodingKey { case cell_type, id, metadata, source, outputs, execution_count }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(kind.rawValue, forKey: .cell_type)
            try c.encode(id, forKey: .id)
            try c.encode([String: String](), forKey: .metadata)
            try c.encode(Notebook.lines(source), forKey: .source)
            if kind == .code {
                try c.encode([String](), forKey: .outputs)
                try c.encodeNil(forKey: .execution_count)
            }
        }
    }

    public var cells: [Cell] = []

    public init() {}

    public mutating func markdown(_ text: String) { cells.append(Cell(kind: .markdown, id: "cell-\(cells.count + 1)", source: text)) }
    public mutating func code(_ text: String) { cells.append(Cell(kind: .code, id: "cell-\(cells.count + 1)", source: text)) }

    enum Keys: String, CodingKey { case cells, metadata, nbformat, nbformat_minor }
    struct Kernelspec: Encodable { let display_name = "Python 3", language = "python", name = "python3" }
    struct LanguageInfo: Encodable { let name = "python" }
    struct Metadata: Encodable { let kernelspec = Kernelspec(), language_info = LanguageInfo() }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(cells, forKey: .cells)
        try c.encode(Metadata(), forKey: .metadata)
        try c.encode(4, forKey: .nbformat)
        try c.encode(5, forKey: .nbformat_minor)
    }

    /// nbformat's multi-line string: a list of lines, each but the last ending in "\n".
    static func lines(_ text: String) -> [String] {
        var parts = text.components(separatedBy: "\n")
        while parts.count > 1, parts.last == "" { parts.removeLast() }
        return parts.enumerated().map { i, line in i + 1 < parts.count ? line + "\n" : line }
    }

    public var json: Data {
        get throws { try JSONOutput.encode(self) }
    }
}

/// Text from an output folder (names, titles, commands: untrusted) as Markdown that shows it
/// literally: Jupyter renders a markdown cell's raw HTML, so nothing read may reach one unescaped.
enum MarkdownText {
    /// Prose: `&`, `<`, `>` as entities, Markdown's punctuation backslash-escaped, line breaks as
    /// spaces (a line break could start a heading, a list or a fence).
    static func text(_ value: String) -> String {
        var out = ""
        for ch in oneLine(value) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "#", "|", "~": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out
    }

    /// Prose with the figures' plain-text math typeset (`MarkupText.runs`): sub- and
    /// superscripts as `<sub>`/`<sup>` (HTML Jupyter renders), every run escaped as `text`.
    static func math(_ value: String) -> String {
        MarkupText.runs(oneLine(value)).map { run in
            switch run.shift {
            case .none: text(run.text)
            case .sub: "<sub>" + text(run.text) + "</sub>"
            case .super: "<sup>" + text(run.text) + "</sup>"
            }
        }.joined()
    }

    /// Inline code: a backtick fence longer than any run of backticks inside, on one line (a
    /// code span shows its content literally, HTML included).
    static func code(_ value: String) -> String {
        let line = oneLine(value)
        let fence = String(repeating: "`", count: longestRun(of: "`", in: line) + 1)
        return fence + " " + line + " " + fence
    }

    /// A fenced code block: the fence longer than any run of backticks inside, so no line of
    /// `value` can close it.
    static func block(_ value: String) -> String {
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: value) + 1))
        return fence + "\n" + value + "\n" + fence
    }

    static func oneLine(_ value: String) -> String {
        String(value.map { $0.isNewline ? " " : $0 })
    }

    static func longestRun(of character: Character, in value: String) -> Int {
        var longest = 0, run = 0
        for ch in value {
            run = ch == character ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}
