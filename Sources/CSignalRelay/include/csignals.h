#ifndef SPECGD_CSIGNALS_H
#define SPECGD_CSIGNALS_H
/* The stop-signal relay of the CLI (SpecgdCLI/RunStop.swift): a handler that only write(2)s
   the signal number, one byte, to `write_fd` (async-signal-safe; SA_RESTART, so no call in
   progress sees EINTR). A thread of the CLI reads the bytes and does the rest outside signal
   context. A handler, unlike SIG_IGN, is reset to the default by exec: child processes (the
   figure converter) keep the default disposition. The signals are unblocked in the calling
   thread (a parent may have started the process with them blocked). Returns 0, or -1 with errno set. */
int specgd_signal_relay_install(int write_fd, const int *signals, int count);
#endif
