// Metric definitions and Prometheus text rendering. See metrics.h.
#include "engine/metrics.h"

#include <cstdio>
#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ttyhub {
namespace {

constexpr const char* kPortLabels = "port, worker";

// Families rendered from individual snapshot fields.
enum class Family {
  kBuildInfo,
  kPortInfo,
  kPortDeviceUp,
  kPortDeviceState,
  kPortClients,
  kPortRingSize,
  kPortUartAvailable,
  kPortUartFrame,
  kPortUartParity,
  kPortUartOverrun,
  kPortUartBufOverrun,
  kPortUartBreaks,
  kPortLatency,
  kPortAlerts,
  kPortWriter,
};

struct FamilyDef {
  Family family;
  MetricDef def;
};

const std::vector<FamilyDef>& Families() {
  static const std::vector<FamilyDef>* const kFamilies = new std::vector<FamilyDef>{
      {Family::kBuildInfo,
       {"ttyhub_build_info", "gauge", "Always 1; the version label says which ttyhub this is.",
        "version"}},
      {Family::kPortInfo,
       {"ttyhub_port_info", "gauge",
        "Always 1; labels carry the port's device and live serial settings.",
        "port, worker, device, serial, flow, local"}},
      {Family::kPortDeviceUp,
       {"ttyhub_port_device_up", "gauge", "1 if the port's device is open, else 0.", kPortLabels}},
      {Family::kPortDeviceState,
       {"ttyhub_port_device_state", "gauge",
        "1 for the device's current state (open, closing, reopening, stopped, idle), 0 for the "
        "others.",
        "port, worker, state"}},
      {Family::kPortClients,
       {"ttyhub_port_clients", "gauge", "Connected clients by access (rw, ro).",
        "port, worker, access"}},
      {Family::kPortRingSize,
       {"ttyhub_port_ring_size_bytes", "gauge", "Size of the port's fan-out ring buffer.",
        kPortLabels}},
      {Family::kPortUartAvailable,
       {"ttyhub_port_uart_counters_available", "gauge",
        "1 if the device reports UART error counters (TIOCGICOUNT); 0 for ptys, simulated "
        "devices and adapters without them, whose error counters are then absent, not zero.",
        kPortLabels}},
      {Family::kPortUartFrame,
       {"ttyhub_port_uart_frame_errors_total", "counter",
        "Framing errors the UART driver counted since the device was opened.", kPortLabels}},
      {Family::kPortUartParity,
       {"ttyhub_port_uart_parity_errors_total", "counter",
        "Parity errors the UART driver counted since the device was opened.", kPortLabels}},
      {Family::kPortUartOverrun,
       {"ttyhub_port_uart_overrun_errors_total", "counter",
        "UART FIFO overruns since the device was opened.", kPortLabels}},
      {Family::kPortUartBufOverrun,
       {"ttyhub_port_uart_buffer_overrun_errors_total", "counter",
        "tty buffer overruns since the device was opened.", kPortLabels}},
      {Family::kPortUartBreaks,
       {"ttyhub_port_uart_breaks_total", "counter",
        "Break conditions received since the device was opened.", kPortLabels}},
      {Family::kPortLatency,
       {"ttyhub_port_delivery_latency_seconds", "histogram",
        "Time from a device read completing to a send of its last byte to a client completing; "
        "one observation per read per client. Absent until the first observation.",
        kPortLabels}},
      {Family::kPortWriter,
       {"ttyhub_port_writer_client", "gauge",
        "Id of the client holding the port's write role (write: exclusive or takeover), 0 if "
        "nobody does; absent on ports whose listeners all share writing.",
        kPortLabels}},
      {Family::kPortAlerts,
       {"ttyhub_port_alerts_total", "counter",
        "Console lines that matched the port's alert (`alerts:`); one series per configured "
        "alert, absent on ports without alerts.",
        "port, worker, alert"}},
  };
  return *kFamilies;
}

struct CounterDef {
  const char* field;
  const char* help;
  uint64_t PortCounters::*member;
};

const std::vector<CounterDef>& PortCounterDefs() {
  static const std::vector<CounterDef>* const kDefs = new std::vector<CounterDef>{
#define TTYHUB_COUNTER_DEF(name, help) {#name, help, &PortCounters::name},
      TTYHUB_PORT_COUNTERS(TTYHUB_COUNTER_DEF)
#undef TTYHUB_COUNTER_DEF
  };
  return *kDefs;
}

std::string CounterName(const CounterDef& c) {
  return absl::StrCat("ttyhub_port_", c.field, "_total");
}

struct WorkerCounterDef {
  const char* field;
  const char* help;
  uint64_t WorkerCounters::*member;
};

constexpr WorkerCounterDef kWorkerCounterDefs[] = {
#define TTYHUB_WORKER_COUNTER_DEF(name, help) {#name, help, &WorkerCounters::name},
    TTYHUB_WORKER_COUNTERS(TTYHUB_WORKER_COUNTER_DEF)
#undef TTYHUB_WORKER_COUNTER_DEF
};

// A worker counter kept in microseconds (its field ends in
// "_microseconds") is exported in seconds, Prometheus's base unit:
// ttyhub_worker_X_seconds_total. The JSON API keeps the integer field.
constexpr absl::string_view kMicrosecondsSuffix = "_microseconds";

bool InMicroseconds(const WorkerCounterDef& c) {
  return absl::EndsWith(c.field, kMicrosecondsSuffix);
}

std::string WorkerCounterName(const WorkerCounterDef& c) {
  absl::string_view field = c.field;
  if (InMicroseconds(c)) {
    field.remove_suffix(kMicrosecondsSuffix.size());
    return absl::StrCat("ttyhub_worker_", field, "_seconds_total");
  }
  return absl::StrCat("ttyhub_worker_", field, "_total");
}

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void Header(const MetricDef& d) {
    absl::StrAppend(out_, "# HELP ", d.name, " ", d.help, "\n# TYPE ", d.name, " ", d.type, "\n");
  }
  void Sample(absl::string_view name, absl::string_view labels, uint64_t value) {
    absl::StrAppend(out_, name, "{", labels, "} ", value, "\n");
  }
  void SampleDouble(absl::string_view name, absl::string_view labels, double value) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.9g", value);
    absl::StrAppend(out_, name, "{", labels, "} ", buf, "\n");
  }

 private:
  std::string* out_;
};

std::string PortLabels(const PortSnapshot& p) {
  return absl::StrCat("port=\"", EscapeLabelValue(p.name), "\",worker=\"", p.worker, "\"");
}

}  // namespace

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string MetricsMarkdownTable() {
  std::string out = "| metric | type | labels | meaning |\n|---|---|---|---|\n";
  for (const MetricDef& d : AllMetrics()) {
    absl::StrAppend(&out, "| `", d.name, "` | ", d.type, " | ", d.labels, " | ", d.help, " |\n");
  }
  return out;
}

const std::vector<MetricDef>& AllMetrics() {
  static const std::vector<MetricDef>* const kAll = [] {
    auto* all = new std::vector<MetricDef>;
    for (const FamilyDef& f : Families()) all->push_back(f.def);
    // Then the port counters, then the worker counters.
    for (const CounterDef& c : PortCounterDefs()) {
      all->push_back({CounterName(c), "counter", c.help, kPortLabels});
    }
    for (const WorkerCounterDef& c : kWorkerCounterDefs) {
      all->push_back({WorkerCounterName(c), "counter", c.help, "worker"});
    }
    return all;
  }();
  return *kAll;
}

std::string RenderPrometheus(const EngineSnapshot& snap, absl::string_view version) {
  std::string out;
  out.reserve(4096 + snap.ports.size() * 3000);
  Writer w(&out);
  static constexpr DeviceState kStates[] = {DeviceState::kOpen, DeviceState::kClosing,
                                            DeviceState::kReopening, DeviceState::kStopped,
                                            DeviceState::kIdle};
  auto per_port = [&](const MetricDef& def,
                      const std::function<void(const PortSnapshot&, const std::string&)>& emit) {
    w.Header(def);
    for (const PortSnapshot& p : snap.ports) emit(p, PortLabels(p));
  };
  for (const FamilyDef& f : Families()) {
    const MetricDef& d = f.def;
    switch (f.family) {
      case Family::kBuildInfo:
        w.Header(d);
        w.Sample(d.name, absl::StrCat("version=\"", EscapeLabelValue(version), "\""), 1);
        break;
      case Family::kPortInfo:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          w.Sample(d.name,
                   absl::StrCat(l, ",device=\"", EscapeLabelValue(p.device), "\",serial=\"",
                                FormatSerialSettings(p.serial), "\",flow=\"",
                                FlowControlName(p.serial.flow), "\",local=\"",
                                p.local ? "true" : "false", "\""),
                   1);
        });
        break;
      case Family::kPortDeviceUp:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          w.Sample(d.name, l, p.device_state == DeviceState::kOpen ? 1 : 0);
        });
        break;
      case Family::kPortDeviceState:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          for (const DeviceState s : kStates) {
            w.Sample(d.name, absl::StrCat(l, ",state=\"", DeviceStateName(s), "\""),
                     p.device_state == s ? 1 : 0);
          }
        });
        break;
      case Family::kPortClients:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          w.Sample(d.name, absl::StrCat(l, ",access=\"rw\""), p.clients_rw);
          w.Sample(d.name, absl::StrCat(l, ",access=\"ro\""), p.clients_ro);
        });
        break;
      case Family::kPortRingSize:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          w.Sample(d.name, l, p.ring_capacity);
        });
        break;
      case Family::kPortUartAvailable:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          w.Sample(d.name, l, p.uart ? 1 : 0);
        });
        break;
      case Family::kPortUartFrame:
      case Family::kPortUartParity:
      case Family::kPortUartOverrun:
      case Family::kPortUartBufOverrun:
      case Family::kPortUartBreaks:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          if (!p.uart) return;  // unavailable is not zero
          const UartCounters& u = *p.uart;
          const uint64_t v = f.family == Family::kPortUartFrame        ? u.frame
                             : f.family == Family::kPortUartParity     ? u.parity
                             : f.family == Family::kPortUartOverrun    ? u.overrun
                             : f.family == Family::kPortUartBufOverrun ? u.buf_overrun
                                                                       : u.brk;
          w.Sample(d.name, l, v);
        });
        break;
      case Family::kPortLatency:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          const LatencyHistogram& h = p.latency;
          if (h.count() == 0) return;
          uint64_t cumulative = 0;
          const std::string bucket = absl::StrCat(d.name, "_bucket");
          for (int i = 0; i < LatencyHistogram::kFiniteBuckets; ++i) {
            cumulative += h.bucket(i);
            char le[32];
            std::snprintf(le, sizeof(le), "%.9g",
                          static_cast<double>(LatencyHistogram::BoundMicros(i)) / 1e6);
            w.Sample(bucket, absl::StrCat(l, ",le=\"", le, "\""), cumulative);
          }
          cumulative += h.bucket(LatencyHistogram::kFiniteBuckets);
          w.Sample(bucket, absl::StrCat(l, ",le=\"+Inf\""), cumulative);
          w.SampleDouble(absl::StrCat(d.name, "_sum"), l, static_cast<double>(h.sum_ns()) / 1e9);
          w.Sample(absl::StrCat(d.name, "_count"), l, h.count());
        });
        break;
      case Family::kPortWriter:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          if (p.write_roles) w.Sample(d.name, l, p.writer_client);
        });
        break;
      case Family::kPortAlerts:
        per_port(d, [&](const PortSnapshot& p, const std::string& l) {
          for (const AlertStats& a : p.alerts) {
            w.Sample(d.name, absl::StrCat(l, ",alert=\"", EscapeLabelValue(a.name), "\""),
                     a.matches);
          }
        });
        break;
    }
  }
  // Then the port counters and the worker counters, in their X-macros' order.
  for (const CounterDef& c : PortCounterDefs()) {
    const std::string name = CounterName(c);
    w.Header({name, "counter", c.help, kPortLabels});
    for (const PortSnapshot& p : snap.ports) w.Sample(name, PortLabels(p), p.counters.*c.member);
  }
  for (const WorkerCounterDef& c : kWorkerCounterDefs) {
    const std::string name = WorkerCounterName(c);
    w.Header({name, "counter", c.help, "worker"});
    for (const WorkerSnapshot& ws : snap.workers) {
      const std::string labels = absl::StrCat("worker=\"", ws.index, "\"");
      if (InMicroseconds(c)) {
        w.SampleDouble(name, labels, static_cast<double>(ws.counters.*c.member) / 1e6);
      } else {
        w.Sample(name, labels, ws.counters.*c.member);
      }
    }
  }
  return out;
}

}  // namespace ttyhub
