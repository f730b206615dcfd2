"""Adapters of the accounts ports (shop/accounts.py): address parsing, password rules and
hashing, code senders (sandbox, Aliyun SMS, SMTP) and the envelope cipher for personal data."""
