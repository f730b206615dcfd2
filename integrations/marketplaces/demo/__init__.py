"""The three demo platforms (taobao, jd, pdd) as local HTTP services, and their connector."""
