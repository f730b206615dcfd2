"""Payment providers implementing shop.payments.PaymentProvider: sandbox (local pay page), WeChat Pay v3, Alipay."""
