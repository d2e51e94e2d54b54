import Foundation

/// The record `specgd run` writes (`run.json`, kind "run"): the experiment file's steps as
/// planned (configuration) and how each ended (summary). Pure data, here so that the writer
/// (the CLI) and the readers (report, export-notebook) share one schema.
public enum RunFile {
    /// A step's status; the run's is one of them, or `running` while (or if killed while) it runs.
    public enum Status: String, Codable, Sendable { case completed, failed, diverged, interrupted, notRun = "not-run", running }

    public struct Configuration: Codable, Sendable {
        public struct Step: Codable, Sendable {
            public var number: Int
            public var name: String?
            public var command: String

            public init(number: Int, name: String?, command: String) {
                self.number = number
                self.name = name
                self.command = command
            }
        }
        public var file: String
        public var name: String?
        public var outputDirectory: String
        public var only: [Int]?
        public var steps: [Step]

        public init(file: String, name: String?, outputDirectory: String, only: [Int]?, steps: [Step]) {
            self.file = file
            self.name = name
            self.outputDirectory = outputDirectory
            self.only = only
            self.steps = steps
        }
    }

    public struct StepResult: Codable, Sendable {
        public var number: Int
        public var name: String?
        public var status: Status
        public var outputs: [String]
        public var error: String?

        public init(number: Int, name: String?, status: Status, outputs: [String], error: String? = nil) {
            self.number = number
            self.name = name
            self.status = status
            self.outputs = outputs
            self.error = error
        }
    }

    public struct Summary: Codable, Sendable {
        public var status: Status
        public var completed: Int
        public var steps: [StepResult]

        public init(status: Status, completed: Int, steps: [StepResult]) {
            self.status = status
            self.completed = completed
            self.steps = steps
        }
    }
}
