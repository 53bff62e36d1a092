"""The context object every service receives: settings, clock, directory, tokens, throttle, base URL."""
from __future__ import annotations

from .clock import Clock
from .config import Config
from .directory import Directory
from .throttle import Throttle
from .tokens import PendingKey, TokenService


class Sim:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.clock = Clock()
        self.base_url = ""                      # set by the server once it listens
        self.tokens = TokenService(self, PendingKey())     # the key is generated while the directory is built
        self.directory = Directory(config.users, config.seed, self.clock)
        self.throttle = Throttle()
        self.throttle.configure(**config.throttle_settings())
