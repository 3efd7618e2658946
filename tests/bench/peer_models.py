"""PyTorch twins of the generator zoo (tests/testing/generator_zoo.cc) for peer benchmarks.

Same layers, channel counts, kernels, strides and output sizes as the zoo, in
PyTorch's NCHW layout. Weights are random: only speed is compared. Reshapes go
straight to (C, H, W), which equals the zoo's channels-last reshape up to a
permutation of the Dense weights, so it costs the peers no extra transpose.
"""
import torch
from torch import nn


class View(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def tutorial(transpose):
    layers = [nn.Linear(100, 3200), View(128, 5, 5)]
    if transpose:
        # Keras k3 s2 'same' crops (0, 1); padding=1 + output_padding=1 crops
        # (1, 0): the same size and work, shifted by one pixel.
        layers.append(nn.ConvTranspose2d(128, 1, 3, stride=2, padding=1, output_padding=1))
    else:
        layers += [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(128, 1, 3, padding=1)]
    return nn.Sequential(*layers), (100,)


def mnist_dcgan():
    layers = [nn.Linear(100, 7 * 7 * 128), nn.LeakyReLU(0.2), View(128, 7, 7)]
    for _ in range(2):
        layers += [nn.ConvTranspose2d(128, 128, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
    layers += [nn.Conv2d(128, 1, 7, padding=3), nn.Tanh()]
    return nn.Sequential(*layers), (100,)


def random_bn(c):
    bn = nn.BatchNorm2d(c, eps=1e-3)
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.2, 0.2)
        bn.running_mean.uniform_(-0.2, 0.2)
        bn.running_var.uniform_(0.5, 2.0)
    return bn


def dcgan64():
    ch = [100, 512, 256, 128, 64]
    layers = []
    for i in range(4):
        stride, pad = (1, 0) if i == 0 else (2, 1)
        layers += [nn.ConvTranspose2d(ch[i], ch[i + 1], 4, stride, pad, bias=False),
                   random_bn(ch[i + 1]), nn.ReLU()]
    layers += [nn.ConvTranspose2d(64, 3, 4, 2, 1, bias=False), nn.Tanh()]
    return nn.Sequential(*layers), (100, 1, 1)


def upsampling128():
    layers = [nn.Linear(128, 4 * 4 * 512, bias=False), nn.LeakyReLU(0.2), View(512, 4, 4)]
    c = 512
    for _ in range(5):
        layers += [nn.Upsample(scale_factor=2, mode="nearest"),
                   nn.Conv2d(c, c // 2, 3, padding=1, bias=False), random_bn(c // 2),
                   nn.LeakyReLU(0.2)]
        c //= 2
    layers += [nn.Conv2d(c, 3, 3, padding=1), nn.Tanh()]
    return nn.Sequential(*layers), (128,)


ZOO = {
    "tutorial_upsampling": lambda: tutorial(False),
    "tutorial_transpose": lambda: tutorial(True),
    "mnist_dcgan": mnist_dcgan,
    "dcgan64": dcgan64,
    "upsampling128": upsampling128,
}


def make(name, seed=0):
    torch.manual_seed(seed)
    model, latent = ZOO[name]()
    return model.eval(), latent
