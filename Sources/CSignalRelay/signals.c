#include "csignals.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t relay_fd = -1;

static void relay(int signal_number) {
    int saved = errno;
    unsigned char byte = (unsigned char)signal_number;
    if (relay_fd >= 0) { ssize_t ignored = write(relay_fd, &byte, 1); (void)ignored; }
    errno = saved;
}

int specgd_signal_relay_install(int write_fd, const int *signals, int count) {
    relay_fd = write_fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = relay;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
        sigaddset(&set, signals[i]);
    }
    /* A parent may have started us with them blocked (a test runner's thread): unblock them in
       the calling thread, so a signal sent to the process always reaches the handler. */
    return pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0 ? 0 : -1;
}
