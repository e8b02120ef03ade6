// The standard process metrics from Linux's /proc: proc(5) gives /proc/self/stat's fields after
// the command name in parentheses (which may hold spaces), times in clock ticks since boot, and
// /proc/stat's btime the boot time in seconds since the epoch.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "adapters/metrics/metrics.hpp"

namespace warroom::metrics {
namespace {

// Fields of /proc/self/stat, numbered as in proc(5); 0 when unreadable.
struct stat_fields {
    double utime = 0, stime = 0, starttime = 0, rss = 0;
};

stat_fields read_stat() {
    std::ifstream in{"/proc/self/stat"};
    std::string line;
    std::getline(in, line);
    auto const close = line.rfind(')');
    if (close == std::string::npos) return {};
    std::istringstream fields{line.substr(close + 1)};
    stat_fields s;
    std::string field;
    // Field 3 (state) is the first after the parenthesis.
    for (int n = 3; fields >> field; ++n) {
        if (n == 14) s.utime = std::stod(field);
        if (n == 15) s.stime = std::stod(field);
        if (n == 22) s.starttime = std::stod(field);
        if (n == 24) {
            s.rss = std::stod(field);
            break;
        }
    }
    return s;
}

double boot_time() {
    std::ifstream in{"/proc/stat"};
    std::string key;
    double value = 0;
    while (in >> key) {
        if (key == "btime") {
            in >> value;
            return value;
        }
        in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return 0;
}

}  // namespace

void measure_process(registry& r) {
    auto const ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    auto const page = static_cast<double>(sysconf(_SC_PAGESIZE));
    auto const started = boot_time() + read_stat().starttime / ticks;
    r.read("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", kind::counter, [ticks] {
        auto const s = read_stat();
        return (s.utime + s.stime) / ticks;
    });
    r.read("process_resident_memory_bytes", "Resident memory size in bytes.", kind::gauge,
           [page] { return read_stat().rss * page; });
    r.read("process_open_fds", "Number of open file descriptors.", kind::gauge, [] {
        std::error_code ec;
        double n = 0;
        for (std::filesystem::directory_iterator it{"/proc/self/fd", ec}, end; !ec && it != end; it.increment(ec)) ++n;
        return n;
    });
    r.read("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", kind::gauge,
           [started] { return started; });
}

}  // namespace warroom::metrics
