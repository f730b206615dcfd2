"""Carriers implementing shop.logistics.Carrier: simulated (clock-driven), Kuaidi100-style tracking API."""
