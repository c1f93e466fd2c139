// posfleet server: the terminal models applicants choose from. Built in
// unless the operator puts their own list in <data_dir>/catalogue.json
// ([{id, kind, name_zh, name_en, text_zh, text_en}, ...]).
#include <boost/json.hpp>

#include "core/fs.h"
#include "core/json.h"
#include "server/domain/onboarding.h"

namespace posfleet::domain {

std::vector<CatalogueModel> terminal_catalogue(const Context& ctx) {
  if (auto text = read_file(ctx.data_dir + "/catalogue.json"); text) {
    if (auto v = json::parse(*text); v && v->is_array()) {
      std::vector<CatalogueModel> out;
      for (const auto& e : v->as_array()) {
        if (!e.is_object()) continue;
        const auto& o = e.as_object();
        out.push_back({json::string_or(o, "id", ""), json::string_or(o, "kind", ""),
                       json::string_or(o, "name_zh", ""), json::string_or(o, "name_en", ""),
                       json::string_or(o, "text_zh", ""), json::string_or(o, "text_en", "")});
      }
      if (!out.empty()) return out;
    }
  }
  return {
      {"M50", "mobile", "M50 移动收款终端", "M50 mobile terminal",
       "手持无线，4G 与 Wi-Fi，内置电池可用一整天，适合流动摊位、外卖与上门收款。",
       "Handheld with 4G and Wi-Fi and an all-day battery: for market stalls, delivery and payment "
       "at the door."},
      {"F30", "fixed", "F30 固定收款终端", "F30 countertop terminal",
       "放在收银台上，接电源和网线，带密码键盘与小票打印，适合门店。",
       "Sits on the counter on mains and Ethernet, with PIN pad and receipt printer: for shops."},
      {"S90", "smart", "S90 智能收款终端", "S90 smart terminal",
       "大触摸屏安卓终端，可装会员、点餐等应用，支持扫码与刷卡。",
       "Android terminal with a large touch screen for loyalty and ordering apps, QR codes and "
       "cards."},
  };
}

}  // namespace posfleet::domain
