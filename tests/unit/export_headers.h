/*
 * export_headers.h — back-office export headers as docs/import-<platform>.md
 * documents them, for unit tests (header order and spelling as written there,
 * trailing spaces included).
 */
#ifndef SIYU_TEST_EXPORT_HEADERS_H
#define SIYU_TEST_EXPORT_HEADERS_H

/* Headers as the back offices write them (docs/import-<platform>.md). */
#define TAOBAO_ORDERS "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额," \
	"返点积分,买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式," \
	"联系电话 ,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注," \
	"宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,是否手机订单,退款金额"
#define TAOBAO_LINES "订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码"
#define TAOBAO_LINES_2023 "子订单编号,主订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息," \
	"备注,订单状态,商家编码,支付单号,买家应付货款,买家实际支付金额,退款状态,退款金额," \
	"订单创建时间,订单付款时间"
#define JD "订单号,商品ID,商品名称,订购数量,支付方式,下单时间,京东价,订单金额,结算金额,余额支付," \
	"应付金额,订单状态,订单类型,下单帐号,客户姓名,客户地址,联系电话,订单备注,发票类型,运费金额," \
	"付款确认时间,商家SKUID"
#define PDD "商品,订单号,订单状态,商品总价(元),店铺优惠折扣(元),平台优惠折扣(元),邮费(元)," \
	"用户实付金额(元),商家实收金额(元),商品数量(件),支付时间,发货时间,确认收货时间,商品id," \
	"商品规格,样式ID,商家编码-规格维度,售后状态,订单成交时间, 用户购买手机号"
#define DOUYIN "主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价," \
	"订单应付金额,运费,优惠总金额,收件人,收件人手机号,订单提交时间,订单完成时间,支付完成时间," \
	"订单状态,售后状态,取消原因"
#define CHANNELS "订单号,订单下单时间,订单发货时间,订单状态,收件人姓名,收件人手机,商品总价," \
	"订单实际支付金额,订单实际收款金额,订单运费,支付时间,商品名称,商品编码(平台)," \
	"商品编码(自定义),SKU编码(自定义),商品价格(单件),商品实际价格(总共),商品数量,商品售后," \
	"商品已退款金额"
#define YOUZAN "订单号,外部订单号,订单商品状态,交易成功时间,商品名称,商品规格,规格编码,商品编码," \
	"商品单价,商品数量,商品实际成交金额,买家手机号,买家付款时间,订单创建时间,商品退款状态," \
	"商品已退款金额"
#define GENERIC "platform,shop_id,order_no,status,created_at,updated_at,sku,quantity,unit_price," \
	"line_paid"

#endif /* SIYU_TEST_EXPORT_HEADERS_H */
