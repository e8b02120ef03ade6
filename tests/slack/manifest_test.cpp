// The Slack app manifest grants every scope the adapter's Web API calls need and subscribes to
// every event it handles: a call or an event added without its manifest line fails here, not in a
// customer's workspace.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_file(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string const source_dir = WARROOM_SOURCE_DIR;

// The adapter's sources that call Slack, as one text to search for the methods called (the rate
// limiter's and the client's tables name methods nobody may call).
std::string adapter_sources() {
    std::string all;
    for (auto const& entry : std::filesystem::directory_iterator(source_dir + "/adapters/slack")) {
        auto const name = entry.path().filename().string();
        if (entry.path().extension() == ".cpp" && name != "rate_limiter.cpp" && name != "web_api.cpp") {
            all += read_file(entry.path());
        }
    }
    return all;
}

bool lists(std::string const& manifest, std::string const& item) {
    return manifest.find("- " + item + " ") != std::string::npos ||
           manifest.find("- " + item + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("the app manifest grants the scopes of every Web API method the adapter calls") {
    auto const manifest = read_file(source_dir + "/deploy/slack-app-manifest.yaml");
    auto const sources = adapter_sources();
    REQUIRE_FALSE(manifest.empty());
    // Slack's method → the bot scope it needs (one of them, for public and private channels alike).
    struct need {
        char const* method;
        std::vector<char const*> scopes;
    };
    std::vector<need> const needs = {
        {"chat.postMessage", {"chat:write"}},         {"chat.update", {"chat:write"}},
        {"chat.postEphemeral", {"chat:write"}},       {"conversations.create", {"channels:manage", "groups:write"}},
        {"conversations.invite", {"channels:manage", "groups:write"}},
        {"conversations.setTopic", {"channels:manage", "groups:write"}},
        {"conversations.archive", {"channels:manage", "groups:write"}},
        {"conversations.history", {"channels:history", "groups:history"}},
        {"conversations.replies", {"channels:history", "groups:history"}},
        {"conversations.list", {"channels:read", "groups:read"}},
        {"conversations.info", {"channels:read", "groups:read"}},
        {"conversations.members", {"channels:read", "groups:read"}},
        {"conversations.join", {"channels:join"}},    {"conversations.open", {"im:write"}},
        {"pins.add", {"pins:write"}},                 {"pins.remove", {"pins:write"}},
        {"reactions.add", {"reactions:write"}},       {"users.info", {"users:read"}},
        {"users.lookupByEmail", {"users:read.email"}}, {"usergroups.list", {"usergroups:read"}},
        {"usergroups.users.list", {"usergroups:read"}},
        {"files.getUploadURLExternal", {"files:write"}},
        {"files.completeUploadExternal", {"files:write"}},
    };
    for (auto const& n : needs) {
        if (sources.find('"' + std::string(n.method) + '"') == std::string::npos) continue;
        CAPTURE(n.method);
        for (auto const* scope : n.scopes) {
            CAPTURE(scope);
            CHECK(lists(manifest, scope));
        }
    }
}

TEST_CASE("the app manifest subscribes to every event the adapter handles") {
    auto const manifest = read_file(source_dir + "/deploy/slack-app-manifest.yaml");
    auto const sources = read_file(source_dir + "/adapters/slack/interactions.cpp");
    for (auto const* event : {"reaction_added", "reaction_removed", "pin_added", "pin_removed",
                              "member_joined_channel", "member_left_channel", "subteam_created", "subteam_updated",
                              "subteam_members_changed"}) {
        CAPTURE(event);
        REQUIRE(sources.find("\"" + std::string(event) + "\"") != std::string::npos);
        CHECK(lists(manifest, event));
    }
}
