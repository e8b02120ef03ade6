#include "adapters/loaded/loaded.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace warroom::loaded {

library::library(char const* soname, char const* debian_package)
    : handle_(::dlopen(soname, RTLD_NOW | RTLD_LOCAL)), soname_(soname) {
    // Never closed: the functions loaded are used until the process ends.
    if (!handle_) {
        throw std::runtime_error(std::string("cannot load ") + soname + " (Debian: apt-get install " + debian_package +
                                 "): " + ::dlerror());
    }
}

void* library::symbol(char const* name) const {
    void* const fn = ::dlsym(handle_, name);
    if (!fn) throw std::runtime_error(soname_ + " has no " + name);
    return fn;
}

}  // namespace warroom::loaded
