#pragma once
// `stretch setup`: the user's side of installing. Copies the example config
// into place if there is none (never overwriting), and prints the exact
// commands that start the service with the graphical session.

namespace stretch {

// Returns the process exit code.
int run_setup();

}  // namespace stretch
