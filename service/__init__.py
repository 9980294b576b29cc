"""Kết Nối: referral and reintegration service for survivors in Viet Nam."""
