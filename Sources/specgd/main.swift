// The specgd executable: every command lives in the SpecgdCLI library (testable in-process).
import SpecgdCLI

SpecGD.main()
