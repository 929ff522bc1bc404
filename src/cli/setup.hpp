#pragma once
// `stretch setup`: the user's side of installing. Writes a short config file
// of commented-out settings if there is none (never overwriting one), and
// prints the exact commands that start the service with the graphical
// session. The file leaves every default in place, the stretch library
// above all, so that new versions' stretches reach the user.

namespace stretch {

// Returns the process exit code. With `json`, one line shaped like a daemon
// reply instead of the text: {"ok":true,"v":1,"path":...,"created":...}.
// Throws OutputFailed when standard output cannot be written.
int run_setup(bool json);

}  // namespace stretch
