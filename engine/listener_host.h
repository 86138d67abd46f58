// ListenerHost: everything a Listener may ask of the port that owns it.
//
// The narrow waist between a listening socket and its port (as ClientHost is
// between a client and its port): a listener needs the port's name for its
// error and log lines, and hands each accepted socket to the host. It never
// reaches into the port's internals, so Listener is tested against a fake
// host (tests/engine/listener_test.cc).
//
// Implemented by Port. Every call happens on the port's worker thread.
#ifndef TTYHUB_ENGINE_LISTENER_HOST_H_
#define TTYHUB_ENGINE_LISTENER_HOST_H_

#include <string>

namespace ttyhub {

class Listener;

class ListenerHost {
 public:
  // The port's name, for error and log lines.
  virtual const std::string& port_name() const = 0;
  // `listener` accepted a connection: `fd` is a new non-blocking,
  // close-on-exec socket that the host now owns (it must close it).
  virtual void OnAccepted(Listener& listener, int fd) = 0;

 protected:
  ~ListenerHost() = default;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_LISTENER_HOST_H_
