/*
 * shop.h — the order sources of the shop platforms: taobao, jd, pdd, douyin, channels
 * (source/shop.c; docs/api-<type>.md).
 *
 *   extract/<type>_api.c      the platform's client: signing, token, judging answers
 *   extract/api_fetch.c       one page: raw zone first, token renewal, rate limits
 *   extract/api_pages.c       a window to the end, the platform's way; replay reading
 *   transform/<type>_json.c   one order → canonical order lines (pure)
 *   source/api_orders.c       windows, the orders of a window into the order sink
 *   source/shop.c             the drivers: one unit per window
 */
#ifndef SIYU_SOURCE_SHOP_H
#define SIYU_SOURCE_SHOP_H

#include "siyu/source/source.h"

extern const struct source_driver taobao_driver;
extern const struct source_driver jd_driver;
extern const struct source_driver pdd_driver;
extern const struct source_driver douyin_driver;
extern const struct source_driver channels_driver;

#endif /* SIYU_SOURCE_SHOP_H */
