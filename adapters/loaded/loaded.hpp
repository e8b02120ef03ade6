// A shared library opened when first needed instead of linked: what it and the libraries it links
// add to a process's memory is paid only by the processes that use it (libpq, libcurl and cairo
// together added about 9 MiB to the resident memory of every daemon).
#pragma once

#include <string>

namespace warroom::loaded {

class library {
public:
    // Opens `soname`; a failure throws std::runtime_error naming `debian_package`, which installs it.
    library(char const* soname, char const* debian_package);

    // Sets `fn` to the library's function `name`; a missing one throws std::runtime_error.
    template <class Fn>
    void load(Fn& fn, char const* name) const {
        fn = reinterpret_cast<Fn>(symbol(name));
    }

private:
    void* symbol(char const* name) const;

    void* handle_;
    std::string soname_;
};

}  // namespace warroom::loaded
